"""Rate limits: per token (or per session user) and per anonymous address, counted by the `limits` library.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (env API_THROTTLE_USER, API_THROTTLE_ANON) in
DRF's form ("1000/min") and are read at each request, so a settings override applies at once. Counting
is limits' sliding window counter: a counter per window of the rate's period, the rolling period
estimated as this window's count plus the previous window's, weighted by the share of the rolling
period still in it. It runs as one atomic script on Redis (PRM_RATE_LIMIT_STORAGE, the REDIS_URL
server by default), so every web process shares one count; without Redis it is kept in each process's
memory (each process then counts for itself). A refused request does not count.
"""

from __future__ import annotations

import functools
import math
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

if TYPE_CHECKING:  # the library loads with the first counted request, not with every start-up
    from limits import RateLimitItemPerSecond
    from limits.strategies import SlidingWindowCounterRateLimiter

NAMESPACE = "prm-api"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@functools.cache
def _limiter(storage_uri: str) -> SlidingWindowCounterRateLimiter:
    from limits.storage import storage_from_string
    from limits.strategies import SlidingWindowCounterRateLimiter

    return SlidingWindowCounterRateLimiter(storage_from_string(storage_uri))


def rate_limiter() -> SlidingWindowCounterRateLimiter:
    """The limiter over the configured storage (one per process and storage, with its connection pool)."""
    return _limiter(settings.PRM_RATE_LIMIT_STORAGE)


def parse_rate(rate: str) -> RateLimitItemPerSecond:
    """DRF's "<count>/<period>" (period s, sec, m, min, h, hour, d, day) as a limits item."""
    from limits import RateLimitItemPerSecond

    count, period = rate.split("/")
    return RateLimitItemPerSecond(int(count), PERIODS[period.strip()[0]], namespace=NAMESPACE)


def seconds_until_allowed(item: RateLimitItemPerSecond, window: tuple[int, float, int, float]) -> float:
    """How long until one more request fits, if no other comes in meanwhile.

    `window` is the storage's (previous count, previous window's time to live, current count, current
    window's time to live); the current window turns into the previous one when its time to live falls
    to one period. A request fits when floor(previous count × its remaining share) + current count < limit.
    """
    previous, previous_ttl, current, current_ttl = window
    limit, period = item.amount, item.get_expiry()
    shift = max(0.0, current_ttl - period)  # when the current window becomes the previous one
    room = limit - current - 1  # what the previous window's weighted count may still be
    if room >= 0:
        if previous == 0:
            return 0.0
        fits = previous_ttl - (room + 1) * period / previous  # its weight falls below room + 1 after this
        if fits < shift:
            return max(0.0, fits)
    # After the shift the current count is the previous one, at full weight, falling over one period.
    return shift + max(0.0, period * (1 - limit / current)) if current else shift


class LimitsRateThrottle(BaseThrottle):
    """A DRF throttle counted by limits' sliding window counter; subclasses name the scope and the client."""

    scope = ""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident_key(self, request) -> str | None:
        """Who is counted, or None when this throttle does not apply to the request."""
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        rate = self.get_rate()
        ident = self.get_ident_key(request) if rate else None
        if ident is None:
            return True
        item = parse_rate(rate)
        limiter = rate_limiter()
        if limiter.hit(item, self.scope, ident):
            return True
        window = limiter.storage.get_sliding_window(item.key_for(self.scope, ident), item.get_expiry())
        self._wait = seconds_until_allowed(item, window)
        return False

    def wait(self) -> int:
        """Whole seconds after which one more request fits (the Retry-After header)."""
        return math.floor(self._wait) + 1


class TokenRateThrottle(LimitsRateThrottle):
    """Each token has its own budget; session requests share their user's."""

    scope = "user"

    def get_ident_key(self, request) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        # A credential object with a primary key (an API token) has its own budget.
        token_pk = getattr(request.auth, "pk", None)
        return f"token-{token_pk}" if token_pk is not None else f"user-{request.user.pk}"


class AnonymousRateThrottle(LimitsRateThrottle):
    """Unauthenticated requests, counted per client address (REMOTE_ADDR, or X-Forwarded-For with NUM_PROXIES).

    Applied by the API middleware to every request without valid credentials, so that guessing tokens
    or hammering 401s is limited too.
    """

    scope = "anon"

    def get_ident_key(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)


def anonymous_wait(http_request) -> int | None:
    """Seconds to wait when this address is over the anonymous rate, else None (and the request is counted)."""
    throttle = AnonymousRateThrottle()
    shim = SimpleNamespace(META=http_request.META, headers=http_request.headers, user=AnonymousUser())
    if throttle.allow_request(shim, None):
        return None
    return throttle.wait()
