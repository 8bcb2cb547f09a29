"""An ASGI guard in front of the app: Host and Origin checks, login throttling, login on side doors.

DNS rebinding: a web page the operator visits at ``http://evil.example`` can have
its name re-resolved to 127.0.0.1 and then talk to the app as "same origin",
with ``Host: evil.example``. So every request must name an allowed host: the
localhost names, a loopback address, the configured ``--host`` and the names
listed in ``RAG_ALLOWED_HOSTS`` (comma-separated; ``.example.org`` also allows
its subdomains). When the app listens on every interface (0.0.0.0, ::), any IP
literal is allowed too: a literal address cannot be rebound, only a name can.
State-changing requests (anything but GET/HEAD/OPTIONS) that carry an
``Origin`` must come from an allowed host as well, so a cross-site form or
``fetch`` is refused (403) even when the Host header is right.

With a login configured, two things Gradio leaves open are closed here:
``/gradio_api/cancel`` and FastAPI's ``/openapi.json`` need the login cookie,
and ``/login`` answers 429 to a client (by its address) after
``MAX_FAILED_LOGINS`` wrong passwords within ``LOGIN_WINDOW`` seconds. Behind
a proxy every client has the proxy's address, so the throttle is then global.

The decisions (``refusal``, ``LoginThrottle``) are pure and tested on their own;
``Guard`` only applies them to ASGI scopes.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Answered only with the login cookie when a login is configured (Gradio serves them to anyone).
LOGIN_REQUIRED_PATHS = frozenset({"/gradio_api/cancel", "/openapi.json", "/docs", "/redoc"})
LOGIN_PATHS = frozenset({"/login", "/login/"})
MAX_FAILED_LOGINS = 5
LOGIN_WINDOW = 60.0  # seconds


def host_of(authority: str) -> str | None:
    """The host part of a ``Host`` header (``name``, ``name:port``, ``[v6]:port``), lower-cased; None if malformed."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0 or (authority[end + 1 :] and not authority[end + 1 :].startswith(":")):
            return None
        return authority[1:end]
    name, _, port = authority.partition(":")
    if port and not port.isdigit():
        return None
    return name.rstrip(".") or None


def _address(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


@dataclass(frozen=True)
class HostPolicy:
    """Which names a request may use to reach the app."""

    names: frozenset[str] = frozenset()  # exact names or addresses, lower-case
    suffixes: tuple[str, ...] = ()  # ".example.org": any subdomain of example.org
    any_address: bool = False  # listening on every interface: IP literals are allowed

    @classmethod
    def build(cls, listen_host: str, allowed: Iterable[str] = ()) -> HostPolicy:
        listen = listen_host.strip().strip("[]").lower()
        entries = [a.strip().lower() for a in allowed if a.strip()]
        names = {e.strip("[]") for e in entries if not e.startswith(".")}
        if listen not in WILDCARDS:
            names.add(listen)
        suffixes = tuple(e for e in entries if e.startswith("."))
        return cls(frozenset(names), suffixes, listen in WILDCARDS)

    def allows(self, host: str | None) -> bool:
        if not host:
            return False
        if host in LOCAL_NAMES or host in self.names:
            return True
        address = _address(host)
        if address is not None:
            return address.is_loopback or self.any_address or str(address) in self.names
        return any(host.endswith(s) or host == s[1:] for s in self.suffixes)


def refusal(policy: HostPolicy, method: str, host_header: str | None, origin: str | None) -> str | None:
    """Why to refuse a request with this method, Host and Origin (a short reason), or None to serve it."""
    host = host_of(host_header or "")
    if not policy.allows(host):
        return f"host {host_header!r} is not allowed (add it to RAG_ALLOWED_HOSTS)"
    if method.upper() in SAFE_METHODS or origin is None:
        return None
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not policy.allows(host_of(parts.netloc)):
        return f"origin {origin!r} is not allowed"
    return None


@dataclass
class LoginThrottle:
    """Failed logins per client within a sliding window; past the limit the client waits."""

    limit: int = MAX_FAILED_LOGINS
    window: float = LOGIN_WINDOW
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque] = field(default_factory=dict)

    def wait(self, client: str) -> float:
        """Seconds ``client`` must wait before its next attempt (0: may try now)."""
        now = self.clock()
        times = self._failures.get(client)
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            self._failures.pop(client, None)
            return 0.0
        return self.window - (now - times[0]) if len(times) >= self.limit else 0.0

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)

    def failed(self, client: str) -> None:
        self._failures.setdefault(client, deque()).append(self.clock())
        if len(self._failures) > 10_000:  # many addresses: forget the oldest client, never grow unbounded
            self._failures.pop(next(iter(self._failures)))


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _logged_in(app, headers: dict[str, str]) -> bool:
    """Does the request carry a live Gradio login cookie? (Gradio keeps tokens in ``app.tokens``.)"""
    cookie_id = getattr(app, "cookie_id", None)
    tokens = getattr(app, "tokens", {}) or {}
    jar: dict[str, str] = {}
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        jar[name] = value
    return any(jar.get(f"{prefix}{cookie_id}") in tokens for prefix in ("access-token-", "access-token-unsecure-"))


class Guard:
    """ASGI middleware applying ``refusal``, the login throttle and login-only paths."""

    def __init__(self, app, policy: HostPolicy, login: bool = False, throttle: LoginThrottle | None = None):
        self.app = app
        self.policy = policy
        self.login = login
        self.throttle = throttle or LoginThrottle()

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = _headers(scope)
        method = scope.get("method", "GET") if scope["type"] == "http" else "POST"  # a socket can change state
        reason = refusal(self.policy, method, headers.get("host"), headers.get("origin"))
        if reason:
            log.warning("refused %s %s: %s", method, scope.get("path"), reason)
            return await _deny(scope, send, 403, "Forbidden: " + reason)
        path = scope.get("path", "")
        if not self.login or scope["type"] != "http":
            return await self.app(scope, receive, send)
        if path.rstrip("/") in LOGIN_REQUIRED_PATHS and not _logged_in(scope.get("app"), headers):
            return await _deny(scope, send, 401, "Not authenticated")
        if path in LOGIN_PATHS and method == "POST":
            return await self._login(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _login(self, scope, receive, send):
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.throttle.wait(client)
        if wait > 0:
            log.warning("login throttled for %s: %d failures", client, self.throttle.limit)
            return await _deny(
                scope,
                send,
                429,
                "Too many failed logins; try again later",
                [(b"retry-after", str(int(wait) + 1).encode())],
            )

        async def watch(message):
            if message["type"] == "http.response.start" and message["status"] in (400, 401, 403):
                self.throttle.failed(client)
            elif message["type"] == "http.response.start" and message["status"] == 200:
                self.throttle.succeeded(client)
            await send(message)

        return await self.app(scope, receive, watch)


async def _deny(scope, send, status: int, detail: str, extra: list | None = None) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
