"""Rate limits: per token (or per session user) and per anonymous address.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (env API_THROTTLE_USER,
API_THROTTLE_ANON) and are read at each request, so a settings override applies
at once. Counting is `CountingRateThrottle`'s: two counters per client in the cache.
"""

from __future__ import annotations

import contextlib
import functools
from types import SimpleNamespace

import redis
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import DEFAULT_CACHE_ALIAS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)  # thread-safe, with its own connection pool


def _redis() -> redis.Redis | None:
    """A client of the Redis server the default cache uses, None when the cache is something else."""
    config = settings.CACHES.get(DEFAULT_CACHE_ALIAS, {})
    if config.get("BACKEND") != REDIS_BACKEND:
        return None
    location = config["LOCATION"]
    return _redis_client(location if isinstance(location, str) else location[0])


class CountingRateThrottle(SimpleRateThrottle):
    """DRF's rate throttle with two counters in the cache instead of a list of timestamps.

    DRF's SimpleRateThrottle keeps the time of every request of the last period in one cache entry and
    reads, trims and rewrites all of it on each request: at a high rate that cost milliseconds per request,
    and two interleaved requests of one client can each overwrite the other's count. Here each fixed window
    of the rate's period has a counter, incremented atomically by the cache; the rolling period is estimated
    as this window's count plus the previous window's, weighted by the share of the rolling period that still
    falls in it. A refused request does not count. Rates are read at each request (settings overrides apply).
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window, self.elapsed = divmod(self.now, self.duration)
        current_key = f"{self.key}:{int(window)}"
        self.current, self.previous = self._count(current_key, f"{self.key}:{int(window) - 1}")
        if self.previous * (1 - self.elapsed / self.duration) + self.current <= self.num_requests:
            return True
        with contextlib.suppress(ValueError):  # the cache was cleared meanwhile: nothing to take back
            self.cache.decr(current_key)
        self.current -= 1
        return False

    def _count(self, current_key: str, previous_key: str) -> tuple[int, int]:
        """Count this request in the current window: (the current window's count, the previous one's).

        A window's counter must outlive the window, to count as the previous one in the next. On Redis
        this is one round trip (create if missing, increment, read the previous window); any other
        cache takes three.
        """
        client = _redis()
        if client is not None:
            pipe = client.pipeline(transaction=False)
            pipe.set(self.cache.make_key(current_key), 0, ex=2 * self.duration, nx=True)
            pipe.incr(self.cache.make_key(current_key))
            pipe.get(self.cache.make_key(previous_key))
            _, current, previous = pipe.execute()
            return int(current), int(previous or 0)
        try:
            current = self.cache.incr(current_key)
        except ValueError:
            current = 1 if self.cache.add(current_key, 1, timeout=2 * self.duration) else self.cache.incr(current_key)
        return current, self.cache.get(previous_key, 0)

    def wait(self) -> float:
        """Seconds until one more request fits, if no other comes in meanwhile."""
        limit, period = self.num_requests, self.duration
        room = limit - self.current - 1  # what the previous window's weighted share may still use
        if room >= 0 and self.previous > 0:
            within = period * (1 - room / self.previous) - self.elapsed
            if within <= period - self.elapsed:
                return max(0.0, within)
        # From the next window on, this window's count is the previous one.
        later = period * (1 - (limit - 1) / self.current) if self.current > 0 else 0.0
        return period - self.elapsed + max(0.0, later)


class TokenRateThrottle(CountingRateThrottle):
    """Each token has its own budget; session requests share their user's."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        # A credential object with a primary key (an API token) has its own budget.
        token_pk = getattr(request.auth, "pk", None)
        ident = f"token-{token_pk}" if token_pk is not None else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(CountingRateThrottle):
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
