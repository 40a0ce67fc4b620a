"""The address a request came from, behind as many trusted proxies as
TRUSTED_PROXIES says (nginx in front: 1)."""

from django.conf import settings


def client_address(request) -> str:
    """REMOTE_ADDR; behind ``n`` trusted proxies, each of which appends the address
    it saw to X-Forwarded-For, the n-th address from the end of that header. The
    addresses before it are the client's to write, so never believed. The same
    rule as the throttles' (DRF's NUM_PROXIES, set from the same setting)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()
