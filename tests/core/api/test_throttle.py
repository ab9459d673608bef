"""Rate limits counted by the `limits` library: per client, a rolling period from two window counters,
a Retry-After that is when one more request fits, and one shared count on Redis."""

from __future__ import annotations

import os
import time
import uuid
from types import SimpleNamespace

import pytest

from core.api import throttles
from core.api.throttles import LimitsRateThrottle, parse_rate, rate_limiter


class FiveAMinute(LimitsRateThrottle):
    scope = "test"

    def get_rate(self) -> str:
        return "5/min"

    def get_ident_key(self, request) -> str:
        return request.ident


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The limits library's clock, under the test's control (windows of 60 s start at multiples of 60)."""
    clock = Clock(600.0)
    monkeypatch.setattr("limits.storage.memory.time", clock)
    monkeypatch.setattr("limits.strategies.time", clock)
    rate_limiter().storage.reset()
    yield clock
    rate_limiter().storage.reset()


def ask(ident: str = "a", throttle_class=FiveAMinute) -> LimitsRateThrottle:
    throttle = throttle_class()
    throttle.allowed = throttle.allow_request(SimpleNamespace(ident=ident), None)
    return throttle


def test_drf_rates_read_as_limits_items():
    assert (parse_rate("1000/min").amount, parse_rate("1000/min").get_expiry()) == (1000, 60)
    assert parse_rate("60/hour").get_expiry() == 3600 and parse_rate("2/s").get_expiry() == 1
    assert parse_rate("10/day").get_expiry() == 86400


def test_the_limit_holds_per_client_and_a_refused_request_does_not_count(clock):
    assert [ask().allowed for _ in range(7)] == [True] * 5 + [False] * 2
    assert ask("b").allowed
    clock.now = 660.0 + 30  # half of the first window's five still count: 2 (rounded down) + 3 new fit
    assert [ask().allowed for _ in range(4)] == [True] * 3 + [False]


def test_the_previous_window_counts_for_the_share_of_the_rolling_period_still_in_it(clock):
    for _ in range(5):
        assert ask().allowed
    clock.now = 660.0 + 15  # 25 % into the next window: 75 % of the previous 5 still count (3.75, as 3)
    assert [ask().allowed for _ in range(3)] == [True, True, False]  # 3 + 2 new
    clock.now = 660.0 + 30  # half-way: 2.5 of them count (as 2), beside the 2 new ones: one more fits
    assert [ask().allowed for _ in range(2)] == [True, False]
    clock.now = 780.0  # two windows later nothing of the first one is left
    assert [ask().allowed for _ in range(6)] == [True] * 5 + [False]


def _refused() -> LimitsRateThrottle:
    while (throttle := ask()).allowed:
        pass
    return throttle


def test_retry_after_is_when_one_more_request_fits(clock):
    # Five in one window: they weigh 5 until the next window starts, then fall below 5 at once.
    refused = _refused()
    assert refused.wait() == 61
    clock.now = 600.0 + refused.wait() - 1
    assert not ask().allowed
    clock.now = 600.0 + refused.wait()
    assert ask().allowed

    # Four in one window, then 10 % into the next: 4 × 0.9 = 3.6 count as 3, two new ones fit, and the
    # next request fits once the four weigh less than 3, i.e. 15 s into the window (9 s from now).
    clock.now = 900.0
    for _ in range(4):
        ask()
    clock.now = 960.0 + 6
    assert [ask().allowed for _ in range(3)] == [True, True, False]
    refused = _refused()
    assert refused.wait() == 10
    start = clock.now
    clock.now = start + refused.wait() - 1
    assert not ask().allowed
    clock.now = start + refused.wait()
    assert ask().allowed


def test_the_token_throttle_counts_tokens_and_session_users_apart():
    throttle = throttles.TokenRateThrottle()
    user = SimpleNamespace(is_authenticated=True, pk=7)
    assert throttle.get_ident_key(SimpleNamespace(user=user, auth=SimpleNamespace(pk=3))) == "token-3"
    assert throttle.get_ident_key(SimpleNamespace(user=user, auth=None)) == "user-7"
    anonymous = SimpleNamespace(is_authenticated=False)
    assert throttle.get_ident_key(SimpleNamespace(user=anonymous, auth=None)) is None


class ThreeASecond(FiveAMinute):
    def get_rate(self) -> str:
        return "3/s"


@pytest.mark.redis
def test_on_redis_two_processes_share_one_count(settings, monkeypatch):
    """Two limiters with their own connections (as two web processes have) count the same client once."""
    from limits.storage import storage_from_string
    from limits.strategies import SlidingWindowCounterRateLimiter

    settings.PRM_RATE_LIMIT_STORAGE = os.environ["REDIS_URL"]
    first = rate_limiter()
    second = SlidingWindowCounterRateLimiter(storage_from_string(os.environ["REDIS_URL"]))
    assert first.storage is not second.storage
    ident = f"shared-{uuid.uuid4().hex}"
    answers = []
    for number in range(5):
        monkeypatch.setattr(throttles, "rate_limiter", lambda n=number: first if n % 2 else second)
        answers.append(ask(ident, ThreeASecond))
    assert [throttle.allowed for throttle in answers] == [True, True, True, False, False]
    wait = answers[-1].wait()
    assert 1 <= wait <= 3
    time.sleep(wait)
    assert ask(ident, ThreeASecond).allowed
