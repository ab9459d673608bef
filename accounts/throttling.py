"""Login throttling (django-axes): which client address a failed login counts against."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the X-Forwarded-For entry added by the last trusted proxy (API_NUM_PROXIES).

    The same rule as the API's anonymous rate limit, so both count one client as the same address.
    """
    return BaseThrottle().get_ident(request)
