"""Network exposure of the app: loopback by default, a login (or an explicit --allow-public) beyond it.

The decision is a pure function (``check_exposure``) tested on its own; the CLI
and ``app.py`` are shown to refuse in one line before anything loads; and one
real launch on 0.0.0.0 with a login shows, over real HTTP, that Gradio turns
away an unauthenticated request and serves an authenticated one.
"""

from __future__ import annotations

import http.cookiejar
import json
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from rag.app.server import check_exposure, is_loopback, warn_if_exposed
from rag.cli import main as cli_main
from rag.errors import ConfigError
from rag.settings import Settings
from tests.conftest import BURNS, ROOT, SEED

sys.path.insert(0, str(ROOT / "bench"))
from app_process import app_env, free_port, wait_ready  # noqa: E402

USER, PASSWORD = "alice", "s3cret-pw"


# -- the decision (pure) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST ", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.org", False),
        ("", False),
    ],
)
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_the_default_is_loopback_and_allowed():
    settings = Settings()
    assert settings.host == "127.0.0.1" and settings.auth is None and settings.allow_public is False
    check_exposure(settings)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.2", "my-laptop.lan"])
def test_a_non_loopback_host_needs_a_login_or_an_explicit_allow_public(host, capsys):
    with pytest.raises(ConfigError, match=f"refusing to serve on {host}:7860 without a login") as info:
        check_exposure(Settings(host=host))
    assert "\n" not in str(info.value) and "--auth" in str(info.value) and "--allow-public" in str(info.value)
    check_exposure(Settings(host=host, auth=(USER, PASSWORD)))
    assert not warn_if_exposed(Settings(host=host, auth=(USER, PASSWORD)))
    check_exposure(Settings(host=host, allow_public=True))
    assert warn_if_exposed(Settings(host=host, allow_public=True))  # allowed, but still said out loud
    assert "WITHOUT a password" in capsys.readouterr().err


def test_the_concurrency_setting_reaches_the_queue_gradio_builds(tmp_path, monkeypatch):
    from rag.app.server import _configure_gradio
    from rag.app.ui import build_ui

    for name in ("GRADIO_DEFAULT_CONCURRENCY_LIMIT", "GRADIO_ANALYTICS_ENABLED", "HF_HUB_DISABLE_TELEMETRY"):
        monkeypatch.setenv(name, "1")  # restored after the test: _configure_gradio writes the process env
    settings = Settings(index_dir=tmp_path / "index", concurrency=3)
    _configure_gradio(settings)
    demo = build_ui(settings)
    assert demo._queue.default_concurrency_limit == 3


def test_settings_read_the_exposure_flags_from_the_environment():
    env = {"RAG_HOST": "0.0.0.0", "RAG_AUTH": f"{USER}:{PASSWORD}", "RAG_ALLOW_PUBLIC": "yes"}
    settings = Settings.from_env(env)
    assert (settings.host, settings.auth, settings.allow_public) == ("0.0.0.0", (USER, PASSWORD), True)
    assert Settings.from_env({"RAG_ALLOW_PUBLIC": "0"}).allow_public is False
    with pytest.raises(ConfigError, match="RAG_ALLOW_PUBLIC must be 1/true/yes/on or 0/false/no/off, got 'maybe'"):
        Settings.from_env({"RAG_ALLOW_PUBLIC": "maybe"})
    with pytest.raises(ConfigError, match="allow_public must be True or False"):
        Settings(allow_public="yes")


def test_rag_serve_refuses_in_one_line_before_loading_anything(tmp_path, capsys, monkeypatch):
    for name in ("RAG_AUTH", "RAG_ALLOW_PUBLIC", "RAG_HOST"):
        monkeypatch.delenv(name, raising=False)
    index_dir = str(tmp_path / "index")
    assert cli_main(["serve", "--host", "0.0.0.0", "--index-dir", index_dir]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: refusing to serve on 0.0.0.0:7860 without a login") and err.count("\n") == 1
    assert cli_main(["serve", "--host", "0.0.0.0", "--auth", "nopassword", "--index-dir", index_dir]) == 2
    assert capsys.readouterr().err == "error: auth must look like 'user:password'\n"
    assert not (tmp_path / "index").exists()  # nothing was built or loaded


def test_app_py_refuses_without_login_and_never_opens_the_port(tmp_path):
    port = free_port()
    command = [
        sys.executable,
        str(ROOT / "app.py"),
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
        "--index-dir",
        str(tmp_path / "index"),
    ]
    result = subprocess.run(command, cwd=ROOT, env=app_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(f"error: refusing to serve on 0.0.0.0:{port}")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


# -- one real launch on 0.0.0.0 with a login ---------------------------------------------------------


def _direct(cookies: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
    handlers = [urllib.request.ProxyHandler({})]
    if cookies is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(cookies))
    return urllib.request.build_opener(*handlers)


def _status(opener, url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def _non_loopback_address() -> str | None:
    """This machine's outward address (a UDP connect sends nothing), if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if is_loopback(address) else address


@pytest.fixture(scope="module")
def public_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("public-app")
    corpus = work / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)  # one article: the first-start index build stays short
    port = free_port()
    log_path = work / "app.log"
    env = app_env(work, {"RAG_AUTH": f"{USER}:{PASSWORD}", "RAG_CORPUS_DIR": str(corpus), "RAG_API_KEY": "k"})
    command = [
        sys.executable,
        str(ROOT / "app.py"),
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
        "--index-dir",
        str(work / "index"),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + "/", 240, process)  # "/" is the login page: served to anyone, with 200
    except Exception as error:
        process.kill()
        process.wait(timeout=15)
        raise RuntimeError(f"{error}\n{log_path.read_text(errors='replace')[-3000:]}") from error
    yield base, port
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@pytest.mark.slow
def test_unauthenticated_requests_are_refused_and_a_login_gets_answers(public_app):
    base, port = public_app
    ask = json.dumps({"data": ["Who warned Russia?", []]}).encode()
    json_headers = {"Content-Type": "application/json"}
    anonymous = _direct()
    for path in ("/config", "/gradio_api/info"):
        assert _status(anonymous, base + path)[0] == 401
    status, body = _status(anonymous, base + "/gradio_api/call/ask", ask, json_headers)
    assert status == 401 and "Not authenticated" in body
    wrong = urllib.parse.urlencode({"username": USER, "password": "wrong"}).encode()
    assert _status(_direct(http.cookiejar.CookieJar()), base + "/login", wrong)[0] in (400, 401)
    # Logged in: the same requests go through.
    cookies = http.cookiejar.CookieJar()
    browser = _direct(cookies)
    login = urllib.parse.urlencode({"username": USER, "password": PASSWORD}).encode()
    assert _status(browser, base + "/login", login)[0] == 200 and len(cookies) > 0
    assert _status(browser, base + "/config")[0] == 200
    status, body = _status(browser, base + "/gradio_api/call/ask", ask, json_headers)
    assert status == 200 and "event_id" in json.loads(body)
    # The app really listens beyond loopback, where the login is what protects it.
    outward = _non_loopback_address()
    if outward:
        assert _status(anonymous, f"http://{outward}:{port}/config")[0] == 401


@pytest.mark.slow
def test_gradio_client_needs_the_login_to_ask(public_app):
    from gradio_client import Client

    base, _ = public_app
    with pytest.raises(Exception, match="(?i)credentials|login"):
        Client(base + "/", verbose=False, analytics_enabled=False)
    with pytest.raises(Exception, match="(?i)login"):
        Client(base + "/", auth=(USER, "wrong"), verbose=False, analytics_enabled=False)
    client = Client(base + "/", auth=(USER, PASSWORD), verbose=False, analytics_enabled=False)
    _, history, _ = client.predict("Who warned Russia?", [], api_name="/ask")
    assert BURNS.split(" to warn")[0] in json.dumps(history)


@pytest.mark.slow
def test_the_openai_api_beside_a_login_needs_its_own_key(public_app):
    base, _ = public_app
    anonymous = _direct()
    status, body = _status(anonymous, base + "/v1/models")
    assert status == 401 and json.loads(body)["error"]["code"] == "invalid_api_key"
    status, body = _status(anonymous, base + "/v1/models", headers={"Authorization": "Bearer k"})
    assert status == 200 and [m["id"] for m in json.loads(body)["data"]] == ["rag-extractive"]
