"""The app's guard: Host/Origin decisions (pure), the login throttle (pure), then the running app over real HTTP.

The real-HTTP part starts ``app.py`` once on loopback with a login and shows that
a rebinding request (``Host: rebind.evil.example``) and a cross-site POST are
refused, that ``/gradio_api/cancel`` and ``/openapi.json`` need the login, and that
wrong passwords are throttled per client address (each throttle test connects
from its own 127.0.0.x source address, so no test locks out another).
"""

from __future__ import annotations

import http.client
import json
import shutil
import sys
import urllib.parse

import pytest

from rag.app.guard import HostPolicy, LoginThrottle, host_of, refusal
from rag.errors import ConfigError
from rag.settings import Settings
from tests.conftest import ROOT, SEED

sys.path.insert(0, str(ROOT / "bench"))
from app_process import start_app  # noqa: E402

USER, PASSWORD = "carol", "guard-pw-1"
EVIL = "rebind.evil.example"
COOKIES: dict[str, str] = {}  # source address -> the cookies its last response set


@pytest.mark.parametrize(
    "header, host",
    [
        ("localhost:7860", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]:7860", "::1"),
        ("EXAMPLE.org.", "example.org"),
        ("evil.example:80x", None),
        ("[::1", None),
        ("", None),
    ],
)
def test_host_of(header, host):
    assert host_of(header) == host


LOOPBACK = HostPolicy.build("127.0.0.1")


@pytest.mark.parametrize("host", ["localhost:7860", "127.0.0.1:7860", "127.5.6.7", "[::1]:7860", "LOCALHOST"])
def test_loopback_names_are_allowed(host):
    assert refusal(LOOPBACK, "GET", host, None) is None
    assert refusal(LOOPBACK, "POST", host, f"http://{host}") is None


@pytest.mark.parametrize(
    "host",
    [EVIL, f"{EVIL}:7860", "192.168.1.5:7860", "localhost.evil.example", "", None, "127.0.0.1.evil.example", "0.0.0.0"],
)
def test_other_hosts_are_refused(host):
    assert "not allowed" in refusal(LOOPBACK, "GET", host, None)


@pytest.mark.parametrize("origin", [f"http://{EVIL}", f"http://{EVIL}:7860", "null", "file://", "http://192.0.2.1"])
def test_a_state_changing_request_from_another_origin_is_refused(origin):
    assert "origin" in refusal(LOOPBACK, "POST", "127.0.0.1:7860", origin)
    assert refusal(LOOPBACK, "GET", "127.0.0.1:7860", origin) is None  # reading is the browser's CORS business


def test_configured_host_and_allowed_hosts():
    policy = HostPolicy.build("my-box.lan", ["news.example.org", ".corp.example", "[2001:db8::1]"])
    for host in ("my-box.lan:7860", "news.example.org", "a.b.corp.example", "corp.example", "[2001:db8::1]:80"):
        assert policy.allows(host_of(host)), host
    for host in ("example.org", "evilcorp.example", "192.0.2.1", "2001:db8::2"):
        assert not policy.allows(host_of(host)), host


def test_a_wildcard_listener_allows_address_literals_but_no_unlisted_name():
    policy = HostPolicy.build("0.0.0.0")
    assert policy.allows("192.168.1.5") and policy.allows("2001:db8::1") and policy.allows("localhost")
    assert not policy.allows(EVIL)


def test_allowed_hosts_setting_is_read_and_checked():
    settings = Settings.from_env({"RAG_ALLOWED_HOSTS": " news.example.org, .corp.example "})
    assert settings.allowed_host_list == ("news.example.org", ".corp.example")
    with pytest.raises(ConfigError, match="allowed_hosts"):
        Settings(allowed_hosts="good.example, bad/host")


def test_login_throttle_counts_failures_per_client_in_a_window():
    now = [0.0]
    throttle = LoginThrottle(limit=3, window=60.0, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait("a") == 0
        throttle.failed("a")
    assert throttle.wait("a") == pytest.approx(60.0)
    assert throttle.wait("b") == 0  # another client is not punished
    now[0] = 30.0
    assert throttle.wait("a") == pytest.approx(30.0)
    now[0] = 60.0
    assert throttle.wait("a") == 0  # the window slid past the failures
    throttle.failed("b")
    throttle.failed("b")
    throttle.succeeded("b")  # a good login forgets earlier typos
    throttle.failed("b")
    throttle.failed("b")
    assert throttle.wait("b") == 0


# -- the running app ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    work = tmp_path_factory.mktemp("guard-app")
    corpus = work / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    process = start_app(work / "index", work, env={"RAG_AUTH": f"{USER}:{PASSWORD}", "RAG_CORPUS_DIR": str(corpus)})
    yield process
    process.stop()


def request(
    app,
    method: str,
    path: str,
    *,
    host: str | None = None,
    headers: dict | None = None,
    body: bytes | None = None,
    source: str = "127.0.0.1",
) -> tuple[int, str]:
    port = int(app.url.rstrip("/").rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        all_headers = {"Host": host or f"127.0.0.1:{port}", **(headers or {})}
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        COOKIES[source] = "; ".join(
            c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []
        ) or COOKIES.get(source, "")
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


def login(app, password: str = PASSWORD, source: str = "127.0.0.1") -> tuple[int, str]:
    form = urllib.parse.urlencode({"username": USER, "password": password}).encode()
    return request(
        app, "POST", "/login", body=form, source=source, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


@pytest.mark.slow
def test_a_rebound_host_is_refused_over_real_http(app):
    port = app.url.rstrip("/").rsplit(":", 1)[1]
    assert request(app, "GET", "/")[0] == 200
    assert request(app, "GET", "/", host=f"localhost:{port}")[0] == 200
    status, body = request(app, "GET", "/", host=EVIL)
    assert status == 403 and "not allowed" in body
    ask = json.dumps({"data": ["Who warned Russia?", []]}).encode()
    status, _ = request(
        app,
        "POST",
        "/gradio_api/call/ask",
        host=f"{EVIL}:{port}",
        body=ask,
        headers={"Content-Type": "application/json", "Origin": f"http://{EVIL}:{port}"},
    )
    assert status == 403
    status, _ = login(app, source="127.0.0.9")  # the right password through the right host still works
    assert status == 200
    form = urllib.parse.urlencode({"username": USER, "password": PASSWORD}).encode()
    status, _ = request(
        app,
        "POST",
        "/login",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://{EVIL}"},
    )
    assert status == 403  # a cross-site form cannot even log in


@pytest.mark.slow
def test_cancel_and_openapi_need_the_login(app):
    assert request(app, "GET", "/openapi.json")[0] == 401
    cancel = json.dumps({"session_hash": "x", "fn_index": 0, "event_id": "y"}).encode()
    assert (
        request(app, "POST", "/gradio_api/cancel", body=cancel, headers={"Content-Type": "application/json"})[0] == 401
    )
    status, _ = login(app, source="127.0.0.10")
    assert status == 200 and COOKIES["127.0.0.10"]
    status, body = request(app, "GET", "/openapi.json", source="127.0.0.10", headers={"Cookie": COOKIES["127.0.0.10"]})
    assert status == 200 and "openapi" in body


@pytest.mark.slow
def test_wrong_passwords_are_throttled_per_client(app):
    statuses = [login(app, "wrong", source="127.0.0.11")[0] for _ in range(8)]
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
    assert login(app, source="127.0.0.11")[0] == 429  # even the right password waits out the window
    assert login(app, source="127.0.0.12")[0] == 200  # another client is not locked out
