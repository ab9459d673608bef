"""The counting throttle: a rolling period estimated from two window counters, exact under interleaving."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from core.api.throttles import CountingRateThrottle


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FiveAMinute(CountingRateThrottle):
    scope = "test"
    rate = "5/min"

    def get_cache_key(self, request, view):
        return f"throttle_test_{request.ident}"


@pytest.fixture
def clock(monkeypatch):
    cache.clear()
    clock = Clock(600.0)  # the start of a window (windows of 60 s start at multiples of 60)
    monkeypatch.setattr(FiveAMinute, "timer", clock)
    yield clock
    cache.clear()


def ask(ident: str = "a") -> FiveAMinute:
    throttle = FiveAMinute()
    throttle.allowed = throttle.allow_request(SimpleNamespace(ident=ident), None)
    return throttle


def test_the_limit_holds_per_client_and_a_refused_request_does_not_count(clock):
    assert [ask().allowed for _ in range(7)] == [True] * 5 + [False] * 2
    assert ask("b").allowed
    assert cache.get("throttle_test_a:10") == 5  # the two refusals were not counted


def test_the_previous_window_counts_for_the_share_of_the_rolling_period_still_in_it(clock):
    for _ in range(5):
        assert ask().allowed
    clock.now = 660.0 + 12  # 20 % into the next window: 80 % of the previous 5 still count (4)
    assert ask().allowed  # 4 + 1
    assert not ask().allowed  # 4 + 2 > 5
    clock.now = 660.0 + 24  # 40 % in: 3 + 1 counted, one more fits
    assert ask().allowed
    assert not ask().allowed
    clock.now = 780.0  # two windows later nothing of the first one is left
    assert [ask().allowed for _ in range(6)] == [True] * 5 + [False]


def test_wait_is_when_the_next_request_would_be_let_through(clock):
    for _ in range(5):
        ask()
    refused = ask()
    assert not refused.allowed
    # All five in this window: from the next window on they weigh (1 - t/60) * 5 + 1 <= 5, i.e. t >= 12 s.
    assert refused.wait() == pytest.approx(60 + 12)
    clock.now = 660.0 + refused.wait() - 60
    assert ask().allowed

    clock.now = 900.0
    for _ in range(4):
        ask()
    clock.now = 960.0 + 6  # 10 % into the next window: 3.6 of the previous 4 still count, one new request fits
    assert ask().allowed
    refused = ask()
    assert not refused.allowed
    # (1 - (6 + t)/60) * 4 + 1 + 1 <= 5 → t >= 9 s
    assert refused.wait() == pytest.approx(9)
    clock.now += refused.wait() - 0.5
    assert not ask().allowed
    clock.now += 0.5
    assert ask().allowed


@pytest.fixture
def on_redis(settings, monkeypatch):
    """The default cache on the Redis server of REDIS_URL, as in production; this test's counters removed after."""
    import os

    import redis

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    clock = Clock(600.0)
    monkeypatch.setattr(FiveAMinute, "timer", clock)
    yield SimpleNamespace(clock=clock, client=client)
    keys = client.keys("*throttle_test_*")
    if keys:
        client.delete(*keys)


@pytest.mark.redis
def test_on_redis_the_counters_take_one_round_trip_and_count_alike(on_redis):
    from django.core.cache import cache

    assert [ask("r").allowed for _ in range(7)] == [True] * 5 + [False] * 2
    assert cache.get("throttle_test_r:10") == 5  # Django's cache reads the same counter
    assert on_redis.client.ttl(cache.make_key("throttle_test_r:10")) > 60  # it outlives its window
    on_redis.clock.now = 660.0 + 24  # 40 % into the next window: 3 of the previous 5 still count
    assert [ask("r").allowed for _ in range(3)] == [True, True, False]
    refused = ask("r")
    assert not refused.allowed and refused.wait() > 0
