"""Which addresses a fetch may reach: the SSRF guard's address policy. Pure.

An address is refused when it is not public unicast: loopback and private ranges
(unless private URLs are allowed), and always the unspecified, link-local,
multicast and reserved ranges and the cloud metadata services outside 169.254/16.
IPv6 addresses that embed an IPv4 one (mapped, 6to4, NAT64) are judged by it.
"""

from __future__ import annotations

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Reasons an address is refused even with ``allow_private_urls``.
ALWAYS_REFUSED = frozenset({"cloud metadata", "unspecified", "link-local", "multicast", "reserved"})
#: Cloud metadata and host-agent services that private-address mode must still never reach.
METADATA_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "fd00:ec2::/32",  # AWS: IPv6 instance metadata (fd00:ec2::254), DNS, NTP
        "100.100.100.200/32",  # Alibaba Cloud metadata
        "168.63.129.16/32",  # Azure WireServer (host agent, DNS)
        "192.0.0.192/32",  # Oracle Cloud legacy metadata
    )
)  # 169.254.169.254 and the rest of 169.254/16 are link-local, refused as such
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def block_reason(address: Address) -> str | None:
    """Why ``address`` is not a public unicast address ("loopback", "private", ...), or None if it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return block_reason(embedded)
    # Order matters: e.g. 0.0.0.0 is also "private", 240.0.0.1 also "private" and "reserved".
    if any(address in network for network in METADATA_NETWORKS if network.version == address.version):
        return "cloud metadata"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local):
        return "private"
    if not address.is_global:
        return "private"  # shared/CGNAT space (100.64.0.0/10) and the like: not the public internet
    return None


def refusal(address: Address, allow_private: bool) -> str | None:
    """The reason to refuse ``address`` under the policy, or None to allow it."""
    reason = block_reason(address)
    if reason is None or (allow_private and reason not in ALWAYS_REFUSED):
        return None
    return reason
