"""Outbound HTTP to addresses a user typed in (webhook URLs), safe against server-side request forgery.

A URL someone registers must not make the server call into its own network:
every address its host name resolves to must be public (`address_refusal`),
and the request then goes to the very address that was checked. Looking the
name up again when connecting would let a DNS server answer a public address
to the check and a private one to the connection (DNS rebinding), so the
socket is opened on the checked address and only the `Host` header and, for
https, the TLS server name and certificate check use the host name.
Redirects are answers, never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.parse
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges that carry an IPv4 address in their last 32 bits (RFC 6052 NAT64, RFC 4291 IPv4-compatible).
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# RFC 8215 local-use NAT64: translates into whatever the local network decides, so never public.
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


class RefusedAddressError(Exception):
    """The URL may not be called: it has no http(s) host, or its host resolves to a non-public address."""


class UnresolvedHostError(RefusedAddressError):
    """The host name did not resolve (now): unlike a refused address, this may change by itself."""


def _category(address: IPAddress) -> str:
    """Why an address is not public, in words ('' when it is public)."""
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "not publicly routable"
    return ""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 form stands for (mapped, compatible, NAT64, 6to4), with the form's name."""
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address in _NAT64_WELL_KNOWN:
        return "NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are themselves unspecified and loopback
        return "IPv4-compatible", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    return None


def address_refusal(address: IPAddress | str) -> str:
    """Why a server may not connect to `address` ('' when it may).

    Refused: loopback, private, link-local, multicast, reserved, unspecified and
    other non-global ranges, the local-use NAT64 prefix, and any IPv6 form that
    embeds an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96,
    6to4) of such an address: `::ffff:10.0.0.1` reaches 10.0.0.1. Such a form of a
    public IPv4 address is judged as that address.
    """
    address = ipaddress.ip_address(address)
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return f"{address} is link-local"
        if address in _NAT64_LOCAL_USE:
            return f"{address} is a local-use NAT64 address"
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            # The IPv4 address it reaches decides, whatever the IPv6 range's own label (Python versions differ).
            form, ipv4 = embedded
            reason = _category(ipv4)
            return f"{address} is the {form} form of {ipv4}, which is {reason}" if reason else ""
    reason = _category(address)
    return f"{address} is {reason}" if reason else ""


@dataclass(frozen=True)
class Target:
    """A URL split for connecting: the host name for Host/SNI, the port, and the checked socket addresses
    as (family, sockaddr) in the resolver's order of preference."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[tuple[int, tuple], ...]


def resolve_target(url: str, *, allow_private: bool) -> Target:
    """Look the URL's host up once and choose the address to connect to.

    Every address the name resolves to must be public (unless `allow_private`):
    a name with one private address among public ones is refused, since which
    one a client would use is not ours to predict.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise RefusedAddressError(f"{url} is not an http(s) URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedAddressError(f"the port of {url} is not valid") from exc
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise UnresolvedHostError(f"cannot resolve {host} ({exc})") from exc
    if not infos:
        raise UnresolvedHostError(f"{host} has no address")
    if not allow_private:
        for info in infos:
            reason = address_refusal(_ip_of(info[4]))
            if reason:
                shown = "" if _is_literal(host) else f"{host} resolves to a non-public address: "
                raise RefusedAddressError(f"{shown}{reason}; only public addresses can receive webhooks")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    addresses = tuple((family, sockaddr) for family, _, _, _, sockaddr in infos)
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=addresses)


def _ip_of(sockaddr: tuple) -> IPAddress:
    return ipaddress.ip_address(sockaddr[0])  # keeps an IPv6 "%zone", which address_refusal refuses


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _open_socket(target: Target, timeout: float) -> socket.socket:
    """A connection to the first checked address that accepts one (e.g. IPv4 when IPv6 is unreachable)."""
    failure: OSError | None = None
    for family, sockaddr in target.addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            sock.close()
            failure = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    assert failure is not None  # resolve_target never returns a target without addresses
    raise failure


class _CheckedHTTPConnection(http.client.HTTPConnection):
    """http.client with the socket opened on the checked address; Host stays the URL's host."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target

    def connect(self) -> None:
        self.sock = _open_socket(self._target, self.timeout)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    """As above over TLS: the certificate is verified against the host name (SNI too), not the address."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._target = target

    def connect(self) -> None:
        sock = _open_socket(self._target, self.timeout)
        try:
            self.sock = self._context.wrap_socket(sock, server_hostname=self._target.host)
        except BaseException:
            sock.close()
            raise


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    excerpt: str


def post_to_checked_address(
    target: Target, body: bytes, headers: dict[str, str], *, timeout: float, excerpt_bytes: int
) -> Answer:
    """POST `body` to the address `resolve_target` checked; the answer's status, reason and first bytes."""
    connection_class = _CheckedHTTPSConnection if target.scheme == "https" else _CheckedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(excerpt_bytes).decode("utf-8", "replace")
        return Answer(status=response.status, reason=response.reason, excerpt=excerpt)
    finally:
        connection.close()
