"""With Redis, two web processes share one rate limit: the counters live in Redis, not in a process."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest
import redis


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our own servers on 127.0.0.1
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.fixture
def redis_db():
    """The Redis database of REDIS_URL without anonymous rate-limit counters, before and after."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])

    def forget() -> None:
        keys = client.keys("*prm-api/anon/*")
        if keys:
            client.delete(*keys)

    forget()
    yield client
    forget()


@pytest.mark.redis
def test_two_processes_share_one_limit_through_redis(gunicorn_server, redis_db):
    """Six anonymous requests an hour from one address, sent alternately to two gunicorn processes:
    the seventh is refused whichever process gets it (alone, each process would have counted only its share)."""
    limit = 6
    env = {"REDIS_URL": os.environ["REDIS_URL"], "API_THROTTLE_ANON": f"{limit}/hour"}
    first, second = gunicorn_server(**env), gunicorn_server(**env)
    answers = [status_of(f"{(first, second)[n % 2]}/api/v1/deals/") for n in range(limit)]
    assert answers == [401] * limit  # no credentials: counted, then refused as unauthenticated
    assert status_of(f"{first}/api/v1/deals/") == 429
    assert status_of(f"{second}/api/v1/deals/") == 429
    assert redis_db.keys("*prm-api/anon/127.0.0.1/*")  # the count lives in Redis


def test_without_redis_each_process_counts_alone(gunicorn_server):
    """The documented limit of a deployment without Redis: the same requests pass, each process counting half."""
    limit = 6
    env = {"API_THROTTLE_ANON": f"{limit}/hour"}  # and no REDIS_URL: each process's own memory
    first, second = gunicorn_server(**env), gunicorn_server(**env)
    answers = [status_of(f"{(first, second)[n % 2]}/api/v1/deals/") for n in range(limit + 2)]
    assert answers == [401] * (limit + 2)
