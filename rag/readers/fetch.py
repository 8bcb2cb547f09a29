"""Fetching a web page for ingestion, guarded against server-side request forgery (SSRF).

Whoever chooses the URL in ``rag index add URL`` (or in the API) makes *this*
machine send the request, so a URL must not reach the machine's own services:
127.0.0.1, the LAN, or a cloud metadata endpoint such as 169.254.169.254. The
rules apply to the first URL and again to every redirect hop (redirects are
followed here, by hand, never by the HTTP client):

* http and https only, and no ``user:password@`` in the URL;
* the host is resolved once (``getaddrinfo``) and *every* address it resolves
  to must be public. Loopback and private addresses (RFC 1918, ULA, CGNAT,
  site-local) are refused unless ``settings.allow_private_urls``; link-local,
  multicast, reserved and unspecified addresses are refused always (no intranet
  needs the metadata endpoint, and 0.0.0.0 means "this machine"), and so are the
  cloud metadata and host services outside 169.254/16 (``METADATA_NETWORKS``:
  AWS's ``fd00:ec2::254``, Alibaba's ``100.100.100.200``, Azure's
  ``168.63.129.16``, Oracle's ``192.0.0.192``). IPv6
  addresses that embed an IPv4 one (mapped, 6to4, NAT64) are judged by it;
* the connection goes to the address that was checked, not to the name, so a
  second DNS answer cannot swap in another address (DNS rebinding); TLS still
  verifies the certificate against the name. Proxies from the environment are
  not used, since a proxy would resolve the name again by itself;
* the body is streamed and cut past ``settings.max_fetch_bytes`` (decoded
  bytes, so a gzip bomb is cut too); connecting, each read and the whole
  download are bounded by ``settings.fetch_timeout`` (the DNS lookup is bounded
  by the system resolver's own timeout, not by it).

The page then goes through ``rag.readers.files.read_html`` (trafilatura), like an HTML file.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from trafilatura.utils import decode_file

from rag.errors import InputError
from rag.readers.addresses import ALWAYS_REFUSED, METADATA_NETWORKS, Address, block_reason, refusal  # noqa: F401
from rag.readers.files import read_html
from rag.settings import Settings
from rag.types import Article

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml")
# RSS/Atom feeds come through the same guard; rag.readers.feeds reads them (fetch_url alone finds no article).
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_CHUNK = 64 * 1024
_HEADERS = {
    "User-Agent": "rag-news/0.1 (article ingestion)",
    "Accept": "text/html,application/xhtml+xml;q=0.9,application/rss+xml;q=0.8,application/atom+xml;q=0.8,"
    "text/plain;q=0.5",
    "Accept-Encoding": "gzip, deflate",
}


@dataclass(frozen=True)
class Page:
    """A downloaded page: the URL it was finally served from (after redirects), its type and bytes."""

    url: str
    content_type: str
    body: bytes


def fetch_url(url: str, settings: Settings | None = None) -> Article:
    """Download a page (within the SSRF guard and limits above) and read it as an article."""
    settings = settings or Settings()
    return page_article(fetch_page(url, settings), settings)


def page_article(page: Page, settings: Settings) -> Article:
    """A downloaded page read as an article (trafilatura), in its declared or detected encoding."""
    charset = _charset(page.content_type)
    try:
        html = page.body.decode(charset) if charset else decode_file(page.body)
    except (LookupError, UnicodeDecodeError):
        html = decode_file(page.body)
    return read_html(html, url=page.url, source=page.url, max_bytes=settings.max_article_bytes)


def fetch_page(url: str, settings: Settings) -> Page:
    """The page's bytes after at most ``MAX_REDIRECTS`` checked redirects; ``InputError`` otherwise."""
    current = url.strip()
    deadline = time.monotonic() + settings.fetch_timeout
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port, target = _parse(current)
        addresses = checked_addresses(host, port, settings.allow_private_urls, current)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise InputError(f"could not fetch {current}: took longer than {settings.fetch_timeout:g} s")
        response = _connect(scheme, host, port, target, addresses, remaining, current)
        try:
            location = response.headers.get("Location")
            if response.status in _REDIRECT_STATUSES and location:
                log.info("%s redirects to %s", current, location)
                current = urljoin(current, location.strip())
                continue
            if not 200 <= response.status < 300:
                raise InputError(f"could not fetch {current}: HTTP {response.status}")
            content_type = response.headers.get("Content-Type", "")
            if content_type and content_type.split(";")[0].strip().lower() not in _PAGE_TYPES + FEED_TYPES:
                raise InputError(f"not a web page: {current} is {content_type.split(';')[0]!r}")
            body = _read_limited(response, current, settings, deadline)
            return Page(current, content_type, body)
        finally:
            response.close()  # never drain an unread body (a refused or redirecting response): just hang up
    raise InputError(f"too many redirects (more than {MAX_REDIRECTS}) fetching {url.strip()}")


def checked_addresses(host: str, port: int, allow_private: bool, url: str) -> list[Address]:
    """Every address ``host`` resolves to, all allowed; one refused address refuses the URL."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise InputError(f"cannot resolve host {host!r} in {url}: {error}") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
    for address in addresses:
        reason = refusal(address, allow_private)
        if reason:
            hint = "" if reason in ALWAYS_REFUSED else " (allow with --allow-private-urls / RAG_ALLOW_PRIVATE_URLS=1)"
            who = host if host == str(address) else f"{host} ({address})"
            raise InputError(f"refused to fetch {url}: {who} is not a public address ({reason}){hint}")
    return addresses


def _parse(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InputError(f"bad URL {url!r}: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(f"not an http(s) URL: {url}")
    if not parts.hostname:
        raise InputError(f"no host in URL: {url}")
    try:  # the Host header and SNI need the ASCII (IDNA) form of an international name
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputError(f"bad host name in URL: {url}") from None
    if parts.username is not None or parts.password is not None:
        raise InputError(f"URLs with a user name or password are not fetched: {url}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), target


def _connect(scheme, host, port, target, addresses, seconds: float, url: str):
    """GET ``target`` from the first checked address that answers; the name goes in Host and SNI only."""
    timeout = urllib3.Timeout(connect=seconds, read=seconds)
    shown = f"[{host}]" if ":" in host else host
    default = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    headers = {**_HEADERS, "Host": shown if default else f"{shown}:{port}"}
    last: Exception | None = None
    for address in addresses:
        log.debug("connecting to %s port %d for %s", address, port, url)
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                str(address),
                port,
                timeout=timeout,
                retries=False,
                maxsize=1,
                cert_reqs="CERT_REQUIRED",
                server_hostname=host,
                assert_hostname=host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(str(address), port, timeout=timeout, retries=False, maxsize=1)
        try:
            return pool.urlopen(
                "GET",
                target,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.HTTPError as error:
            last = error
    raise InputError(f"could not fetch {url}: {_why(last)}")


def _read_limited(response, url: str, settings: Settings, deadline: float) -> bytes:
    limit = settings.max_fetch_bytes
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InputError(f"page too large: {url} is {int(declared):,} bytes (limit {limit:,}, max_fetch_bytes)")
    body = bytearray()
    try:
        for chunk in response.stream(_CHUNK, decode_content=True):
            body += chunk
            if len(body) > limit:
                raise InputError(f"page too large: {url} is over {limit:,} bytes (limit max_fetch_bytes)")
            if time.monotonic() > deadline:
                raise InputError(f"could not fetch {url}: took longer than {settings.fetch_timeout:g} s")
    except urllib3.exceptions.HTTPError as error:
        raise InputError(f"could not fetch {url}: {_why(error)}") from None
    return bytes(body)


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _why(error: Exception | None) -> str:
    if error is None:
        return "no address to connect to"
    reason = getattr(error, "reason", None) or error
    return f"{type(reason).__name__}: {(str(reason).strip().splitlines() or [''])[0]}"
