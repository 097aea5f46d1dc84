"""Request helpers shared by pages and the API."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The caller's address. X-Forwarded-For is only trusted for the configured number of
    proxies in front of the app (nginx), so a client cannot forge its address."""
    hops = settings.SOTAY_TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - a label, not a bind
