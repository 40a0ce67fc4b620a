"""Where a webhook may be sent, and the sending. A receiver's URL is the
user's to choose, so it could name the service's own network (the database,
a cloud's metadata address at 169.254.169.254): every address its host
resolves to must be public, unless WEBHOOKS_ALLOW_PRIVATE_TARGETS is on. The
check is made again when sending, and the connection goes to the address that
was checked, so a name that resolves elsewhere the second time (DNS rebinding)
reaches nothing unchecked."""

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

EXCERPT_BYTES = 1024


class TargetRefused(ValueError):
    """A URL the service must not send to; the message says why."""


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def resolve(url: str) -> list[str]:
    """The addresses to send ``url``'s request to (in the resolver's order),
    once every one was found public (or private targets are allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("Only http and https URLs can receive webhooks.")
    host = parts.hostname
    if not host:
        raise TargetRefused("The URL names no host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused("The URL's port is not a number from 1 to 65535.") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetRefused(f"The host {host} does not resolve.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private():
        private = [address for address in addresses if not _public(address)]
        if private:
            raise TargetRefused(
                f"The host {host} resolves to {private[0]}, a private, loopback, link-local "
                "or reserved address: webhooks are sent only to public addresses."
            )
    return addresses


@dataclass
class Answer:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _connection(url: str, addresses: list[str], timeout: float) -> http.client.HTTPConnection:
    """A connection to the first of the checked ``addresses`` that answers,
    which still names the URL's host (its Host header, and for https its
    certificate's name, SNI)."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)

    def pinned(where, timeout, source_address=None):
        for address in addresses[:-1]:
            with contextlib.suppress(OSError):
                return socket.create_connection((address, where[1]), timeout, source_address)
        return socket.create_connection((addresses[-1], where[1]), timeout, source_address)

    connection._create_connection = pinned
    return connection


def post(url: str, body: bytes, headers: dict, *, timeout: float) -> Answer:
    """POST ``body`` to ``url`` (no redirect followed: a 3xx is not a success)
    within ``timeout`` seconds in all, however slowly the receiver answers;
    never raises for what the network or the receiver does."""
    started = time.monotonic()

    def answer(status_code=None, excerpt="", error=""):
        elapsed = int((time.monotonic() - started) * 1000)
        return Answer(status_code, excerpt, error[:500], elapsed)

    try:
        addresses = resolve(url)
    except TargetRefused as exc:
        return answer(error=f"Refused: {exc}")
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = _connection(url, addresses, timeout)
    # Each read waits at most ``timeout``; the watchdog ends a receiver that
    # answers a byte at a time when the whole attempt has taken that long.
    watchdog = threading.Timer(timeout, _cut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", errors="replace")
        return answer(response.status, excerpt)
    except (OSError, http.client.HTTPException) as exc:
        if isinstance(exc, TimeoutError) or time.monotonic() - started >= timeout:
            return answer(error=f"Timed out after {timeout:g} s.")
        return answer(error=f"{type(exc).__name__}: {exc}")
    finally:
        watchdog.cancel()
        connection.close()


def _cut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
