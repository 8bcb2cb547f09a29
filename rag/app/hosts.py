"""Which host names keep the app on this machine. Pure.

The server refuses to listen beyond loopback without a login, and the
OpenAI-compatible API without a key; both ask ``is_loopback``.
"""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """Does listening on ``host`` keep the app on this machine? Unknown names count as exposed."""
    host = host.strip().lower()
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
