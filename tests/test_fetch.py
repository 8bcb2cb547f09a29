"""Fetching URLs for ingestion: the SSRF guard, redirects, size and time limits, over real HTTP on 127.0.0.1.

Every server here is a real ``http.server`` in a thread (and one real TLS server);
each records the paths it was asked for, so "refused before connecting" is
checked on the server's side. The only stand-in is one DNS answer, to play a
rebinding resolver (this machine has no DNS server to do it for real).
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.api import read_articles
from rag.cli import main
from rag.errors import ConfigError, InputError
from rag.readers import fetch
from rag.readers.fetch import block_reason, fetch_url, refusal
from rag.readers.sources import read_source
from rag.settings import Settings
from tests.conftest import SEED, SEED_TITLE

TITLE = "Council Backs Transit Budget"
PARA = (
    "The city council voted on Tuesday to approve a new budget that raises spending on buses, "
    "trams and cycle lanes by a fifth, the largest increase in more than a decade."
)
HTML = (
    f"<html><head><title>{TITLE}</title></head><body><nav>Home News Sport</nav>"
    f"<article><h1>{TITLE}</h1><p>{PARA}</p><p>{PARA.replace('Tuesday', 'Monday')}</p></article>"
    "</body></html>"
).encode()
PRIVATE_OK = Settings(allow_private_urls=True)


class Site:
    """A real HTTP server on 127.0.0.1: ``routes`` maps a path to (status, headers, body); it logs what it served."""

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]], tls: ssl.SSLContext | None = None):
        site = self
        self.routes, self.seen = routes, []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.seen.append((self.path, self.headers.get("Host")))
                status, headers, body = site.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for key, value in {"Content-Length": str(len(body)), **headers}.items():
                    if value is not None:
                        self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading: that is the point of a size limit

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.seen]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    server = Site({"/news": (200, {"Content-Type": "text/html; charset=utf-8"}, HTML)})
    yield server
    server.close()


def _redirect(to: str, status: int = 302) -> tuple[int, dict[str, str], bytes]:
    return status, {"Location": to}, b""


# -- the address classifier (pure) ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address, reason",
    [
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("100.64.0.1", "private"),
        ("fec0::1", "private"),
        ("192.0.2.2", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        # IPv6 forms that embed an IPv4 address are judged by it.
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:8.8.8.8", None),
        ("2002:7f00:1::", "loopback"),
        ("2002:a00:1::", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
    ],
)
def test_block_reason(address, reason):
    assert block_reason(ipaddress.ip_address(address)) == reason


def test_allowing_private_urls_never_allows_link_local_multicast_reserved_or_unspecified():
    allowed = ("127.0.0.1", "::1", "10.1.2.3", "192.168.0.10", "fd12::5", "100.64.1.1")
    refused = ("169.254.169.254", "fe80::1", "224.0.0.251", "240.0.0.1", "0.0.0.0", "::")
    for address in allowed:
        assert refusal(ipaddress.ip_address(address), allow_private=True) is None
        assert refusal(ipaddress.ip_address(address), allow_private=False) is not None
    for address in refused:
        assert refusal(ipaddress.ip_address(address), allow_private=True) in fetch.ALWAYS_REFUSED
    assert refusal(ipaddress.ip_address("8.8.8.8"), allow_private=False) is None


def test_fetch_settings_default_to_safe_are_validated_and_read_from_the_environment():
    assert (Settings().allow_private_urls, Settings().max_fetch_bytes) == (False, 10_000_000)
    env = {"RAG_MAX_FETCH_BYTES": "1000", "RAG_FETCH_TIMEOUT": "2.5", "RAG_ALLOW_PRIVATE_URLS": "true"}
    settings = Settings.from_env(env)
    assert (settings.max_fetch_bytes, settings.fetch_timeout, settings.allow_private_urls) == (1000, 2.5, True)
    with pytest.raises(ConfigError, match="max_fetch_bytes must be between 1 and 1000000000, got 0"):
        Settings(max_fetch_bytes=0)
    with pytest.raises(ConfigError, match="fetch_timeout must be between 0.1 and 600.0, got 0"):
        Settings(fetch_timeout=0)


# -- schemes and URL shapes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, message",
    [
        ("file:///etc/passwd", "not an http"),
        ("FILE:///etc/passwd", "not an http"),
        ("ftp://127.0.0.1/x", "not an http"),
        ("gopher://127.0.0.1:25/", "not an http"),
        ("javascript:alert(1)", "not an http"),
        ("http:///path-only", "no host"),
        ("http://user:pw@127.0.0.1/", "user name or password"),
        ("http://127.0.0.1:99999/", "bad URL"),
    ],
)
def test_bad_schemes_and_urls_are_refused_in_one_line(url, message):
    with pytest.raises(InputError, match=message) as info:
        fetch_url(url, PRIVATE_OK)
    assert "\n" not in str(info.value)


def test_file_urls_through_the_api_are_refused_not_read_as_paths(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Secret title\nSecret body text that must not be indexed.\n")
    with pytest.raises(InputError, match="not an http"):
        read_source(f"file://{secret}", PRIVATE_OK)


# -- loopback: refused by default, allowed with the flag ------------------------------------------------


def test_loopback_is_refused_by_default_without_any_request(site):
    for host in ("127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433"):  # 2130706433 == 127.0.0.1
        with pytest.raises(InputError, match="not a public address") as info:
            fetch_url(site.url("/news", host), Settings())
        assert "--allow-private-urls" in str(info.value)
    assert site.seen == []


def test_loopback_is_fetched_with_the_flag_and_cleaned_by_trafilatura(site):
    article = fetch_url(site.url("/news"), PRIVATE_OK)
    assert article.title == TITLE and PARA in article.text and "Home News Sport" not in article.text
    assert article.url == article.source == site.url("/news")
    assert site.seen == [("/news", f"127.0.0.1:{site.port}")]


def test_the_api_reads_the_flag_from_the_environment(site, monkeypatch):
    monkeypatch.delenv("RAG_ALLOW_PRIVATE_URLS", raising=False)
    with pytest.raises(InputError, match="loopback"):
        read_articles([site.url("/news")])
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")
    (article,) = read_articles([site.url("/news")])
    assert article.title == TITLE


def test_cli_index_add_url_refuses_then_ingests_with_the_flag(site, tmp_path, capsys):
    index_dir = str(tmp_path / "index")
    assert main(["index", "build", str(SEED), "--index-dir", index_dir]) == 0
    capsys.readouterr()
    assert main(["index", "add", site.url("/news"), "--index-dir", index_dir]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: refused to fetch") and err.count("\n") == 1 and site.seen == []
    assert main(["index", "add", "file:///etc/passwd", "--allow-private-urls", "--index-dir", index_dir]) == 2
    assert capsys.readouterr().err == "error: not an http(s) URL: file:///etc/passwd\n"
    assert main(["index", "add", site.url("/news"), "--allow-private-urls", "--index-dir", index_dir]) == 0
    out = capsys.readouterr().out
    assert out.startswith("added") and TITLE in out
    assert main(["index", "stats", "--index-dir", index_dir, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert sorted(row["title"] for row in rows) == sorted([TITLE, SEED_TITLE])


# -- redirects: every hop is checked before connecting -------------------------------------------------


def test_redirect_to_unspecified_address_is_refused_before_connecting(site):
    # 0.0.0.0 reaches this very server on Linux: only the per-hop check keeps /secret unrequested.
    site.routes["/go"] = _redirect(site.url("/secret", "0.0.0.0"))
    site.routes["/secret"] = (200, {"Content-Type": "text/html"}, HTML)
    with pytest.raises(InputError, match=r"0\.0\.0\.0 is not a public address \(unspecified\)"):
        fetch_url(site.url("/go"), PRIVATE_OK)
    assert site.paths() == ["/go"]


@pytest.mark.parametrize(
    "target, reason",
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("file:///etc/passwd", "not an http"),
    ],
)
def test_redirect_to_a_never_allowed_target_is_refused(site, target, reason, caplog):
    site.routes["/go"] = _redirect(target, 301)
    caplog.set_level("DEBUG", logger="rag.readers.fetch")
    with pytest.raises(InputError, match=reason):
        fetch_url(site.url("/go"), PRIVATE_OK)
    connects = [r.getMessage() for r in caplog.records if r.getMessage().startswith("connecting to")]
    assert connects == [f"connecting to 127.0.0.1 port {site.port} for {site.url('/go')}"]  # never the target


def test_redirect_to_loopback_is_refused_by_default(site):
    # The first hop itself is loopback here, so the check that refuses it is the one every hop gets.
    site.routes["/go"] = _redirect(site.url("/news", "localhost"))
    with pytest.raises(InputError, match="loopback"):
        fetch_url(site.url("/go"), Settings())
    assert site.seen == []


def test_relative_redirects_are_followed_and_loops_are_cut(site):
    site.routes["/old"] = _redirect("/news", 308)
    article = fetch_url(site.url("/old"), PRIVATE_OK)
    assert article.url == site.url("/news") and site.paths() == ["/old", "/news"]
    site.routes["/loop"] = _redirect("/loop")
    with pytest.raises(InputError, match="too many redirects"):
        fetch_url(site.url("/loop"), PRIVATE_OK)
    assert site.paths().count("/loop") == fetch.MAX_REDIRECTS + 1


def test_dns_rebinding_cannot_swap_the_address_after_the_check(site, monkeypatch):
    real = socket.getaddrinfo
    answers = []

    def rebinding(host, *args, **kwargs):  # first answer honest, later ones point at the metadata service
        answers.append(host)
        if host == "localhost" and answers.count("localhost") > 1:
            return real("169.254.169.254", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    article = fetch_url(site.url("/news", "localhost"), PRIVATE_OK)
    assert article.title == TITLE and answers.count("localhost") == 1
    assert site.seen == [("/news", f"localhost:{site.port}")]  # the name still goes in the Host header


# -- size, time, type --------------------------------------------------------------------------------------


def test_oversize_pages_are_refused_declared_or_streamed(site):
    small = PRIVATE_OK.replace(max_fetch_bytes=50_000)
    big = HTML + b"<!--" + b"x" * 200_000 + b"-->"
    site.routes["/declared"] = (200, {"Content-Type": "text/html"}, big)
    site.routes["/undeclared"] = (200, {"Content-Type": "text/html", "Content-Length": None}, big)
    bomb = gzip.compress(HTML + b"<!--" + b"0" * 5_000_000 + b"-->")
    site.routes["/bomb"] = (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)
    assert len(bomb) < 50_000  # small on the wire: only counting decoded bytes catches it
    for path in ("/declared", "/undeclared", "/bomb"):
        with pytest.raises(InputError, match=r"page too large: .* 50,000") as info:
            fetch_url(site.url(path), small)
        assert "\n" not in str(info.value)
    assert fetch_url(site.url("/news"), small).title == TITLE  # under the limit is fine


def test_a_silent_server_times_out():
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (backlog) but never answers
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        with pytest.raises(InputError, match="could not fetch .*(?i:timed out)"):
            fetch_url(url, PRIVATE_OK.replace(fetch_timeout=0.5))
    finally:
        listener.close()


def test_errors_and_non_pages_are_one_line_input_errors(site):
    site.routes["/pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")
    with pytest.raises(InputError, match="HTTP 404"):
        fetch_url(site.url("/missing"), PRIVATE_OK)
    with pytest.raises(InputError, match="not a web page: .* is 'application/pdf'"):
        fetch_url(site.url("/pdf"), PRIVATE_OK)
    with pytest.raises(InputError, match="cannot resolve host"):
        fetch_url("http://no-such-host.invalid/", PRIVATE_OK)


# -- TLS: the name is verified although the connection goes to the checked address -----------------------


@pytest.fixture
def tls_site(tmp_path, monkeypatch):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust this certificate only, for this test
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = Site({"/news": (200, {"Content-Type": "text/html"}, HTML)}, tls=context)
    yield server
    server.close()


def test_https_is_verified_against_the_name_while_connecting_to_the_checked_address(tls_site):
    article = fetch_url(f"https://localhost:{tls_site.port}/news", PRIVATE_OK)
    assert article.title == TITLE and article.url.startswith("https://localhost:")
    # The same server by IP: the certificate names only "localhost", so verification must fail.
    with pytest.raises(InputError, match="could not fetch .*(?i:certificate|SSL)"):
        fetch_url(f"https://127.0.0.1:{tls_site.port}/news", PRIVATE_OK)
    assert tls_site.paths() == ["/news"]


# -- cloud metadata outside 169.254/16 (issue 13, defect 9) -------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "fd00:ec2::254",
        "fd00:ec2::23",
        "100.100.100.200",
        "168.63.129.16",
        "192.0.0.192",
        "::ffff:100.100.100.200",
        "64:ff9b::6464:64c8",
    ],
)
def test_cloud_metadata_addresses_stay_refused_with_private_urls_allowed(address):
    from rag.readers.fetch import refusal

    assert refusal(ipaddress.ip_address(address), allow_private=True) == "cloud metadata"
    assert refusal(ipaddress.ip_address(address), allow_private=False) == "cloud metadata"


@pytest.mark.parametrize(
    "url", ["http://[fd00:ec2::254]/latest/meta-data/", "http://100.100.100.200/latest/meta-data/"]
)
def test_fetching_a_metadata_url_is_refused_before_connecting(url):
    with pytest.raises(InputError, match=r"not a public address \(cloud metadata\)$"):
        fetch_url(url, Settings(allow_private_urls=True))
