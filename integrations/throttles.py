"""Rate limits: per token (or per session user) and per anonymous address.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (env API_THROTTLE_USER,
API_THROTTLE_ANON) and are read at each request, so a settings override applies
at once.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class _LiveRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class TokenRateThrottle(_LiveRateMixin, SimpleRateThrottle):
    """Each token has its own budget; session requests share their user's."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        ident = f"token-{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(_LiveRateMixin, SimpleRateThrottle):
    """Unauthenticated requests, counted per client address (REMOTE_ADDR, or X-Forwarded-For with NUM_PROXIES).

    Applied by the API middleware to every request without valid credentials, so that guessing tokens
    or hammering 401s is limited too.
    """

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def anonymous_wait(http_request) -> int | None:
    """Seconds to wait when this address is over the anonymous rate, else None (and the request is counted)."""
    throttle = AnonymousRateThrottle()
    if throttle.rate is None:
        return None
    shim = SimpleNamespace(META=http_request.META, headers=http_request.headers, user=AnonymousUser())
    if throttle.allow_request(shim, None):
        return None
    return int(throttle.wait() or 0) + 1
