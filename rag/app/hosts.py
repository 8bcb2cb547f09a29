"""Which host names keep the app on this machine. Pure.

The server refuses to listen beyond loopback without a login, and the
OpenAI-compatible API without a key; both ask ``is_loopback``. Kept apart from
the API module so the check runs before FastAPI (0.3 s) is imported.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.settings import Settings


def is_loopback(host: str) -> bool:
    """Does listening on ``host`` keep the app on this machine? Unknown names count as exposed."""
    host = host.strip().lower()
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_api_exposure(settings: Settings) -> None:
    """Refuse (``ConfigError``) to serve the API beyond loopback without ``RAG_API_KEY``."""
    if settings.api_key or is_loopback(settings.host):
        return
    raise ConfigError(
        f"refusing to serve the OpenAI-compatible API on {settings.host}:{settings.port} without an API key: "
        "set RAG_API_KEY, or use --host 127.0.0.1"
    )
