"""Login throttling (django-axes on the cache): lockout per username and per address, on /login/ and /admin/login/."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


def attempt(client, url: str, username: str, password: str, address: str):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_locked(client, settings, url: str, username_for, address_for) -> None:
    """AXES_FAILURE_LIMIT failed attempts: the form with its error until the last, which answers the lockout."""
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        answer = attempt(client, url, username_for(n), "wrong-password", address_for(n))
        assert answer.status_code == (429 if n == limit - 1 else 200), n
        assert "_auth_user_id" not in client.session


def assert_locked_out(answer, settings) -> None:
    assert answer.status_code == 429
    html = answer.content.decode()
    assert 'class="navbar-brand"' in html  # in the site layout
    assert "Too many failed log-in attempts" in html and f"({settings.AXES_FAILURE_LIMIT} in a row)" in html
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    assert f"paused for {minutes} minutes after the last attempt, even with the right password" in html
    assert reverse("accounts:password_reset") in html


def test_failures_for_one_username_lock_it_out_from_every_address(client, world, settings):
    fail_until_locked(client, settings, LOGIN, lambda n: "user_a", lambda n: f"198.51.100.{n + 1}")
    locked = attempt(client, LOGIN, "user_a", "pw", "203.0.113.50")  # the right password, a fresh address
    assert_locked_out(locked, settings)
    assert "_auth_user_id" not in client.session
    # Another username from that address is not affected.
    other = attempt(client, LOGIN, "user_b", "pw", "203.0.113.50")
    assert other.status_code == 302 and client.session["_auth_user_id"] == str(world.user_b.pk)


def test_failures_from_one_address_lock_it_out_for_every_username(client, world, settings):
    fail_until_locked(client, settings, LOGIN, lambda n: f"guess-{n}", lambda n: "198.51.100.7")
    assert_locked_out(attempt(client, LOGIN, "user_b", "pw", "198.51.100.7"), settings)
    assert "_auth_user_id" not in client.session
    # The same user from another address logs in.
    assert attempt(client, LOGIN, "user_b", "pw", "198.51.100.8").status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(client, world, settings):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, LOGIN, "user_a", "wrong", "198.51.100.9").status_code == 200, n
    assert attempt(client, LOGIN, "user_a", "pw", "198.51.100.9").status_code == 302


def test_the_admin_login_locks_out_too_and_shares_the_username_counter(client, world, settings):
    fail_until_locked(client, settings, ADMIN_LOGIN, lambda n: "root", lambda n: f"198.51.100.{n + 20}")
    assert_locked_out(attempt(client, ADMIN_LOGIN, "root", "pw", "203.0.113.60"), settings)
    assert_locked_out(attempt(client, LOGIN, "root", "pw", "203.0.113.61"), settings)
    assert "_auth_user_id" not in client.session


def test_a_lockout_ends_after_the_cool_off_time(client, world, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    fail_until_locked(client, settings, LOGIN, lambda n: "user_a", lambda n: "198.51.100.30")
    assert attempt(client, LOGIN, "user_a", "pw", "198.51.100.30").status_code == 429
    time.sleep(1.5)  # the counters expire with the cool-off time
    assert attempt(client, LOGIN, "user_a", "pw", "198.51.100.30").status_code == 302


def test_the_client_address_follows_the_trusted_proxies_of_the_api(client, world, settings):
    """Behind one trusted proxy the address is the X-Forwarded-For entry it added, not the proxy's."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"guess-{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.40",
        )
    blocked = client.post(
        LOGIN, {"username": "user_a", "password": "pw"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.40"
    )
    assert blocked.status_code == 429
    other_client = client.post(
        LOGIN, {"username": "user_a", "password": "pw"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.41"
    )
    assert other_client.status_code == 302
