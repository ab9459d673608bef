"""Concurrent submissions on PostgreSQL: no conflict is lost, no reference is handed out twice."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from deals.services import deal_submit
from tests import factories as f
from tests.deals.conftest import register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_thread(target, errors: list):
    def run():
        try:
            target()
        except Exception as exc:  # surfaced by the assertion in the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_overlapping_drafts_submitted_at_once_are_both_flagged(world, products):
    first = register(world.user_a, customer=f.CustomerFactory(name="Acme Ltd"), products=products[:1], submit=False)
    second = register(world.user_b, customer=f.CustomerFactory(name="ACME"), products=products[:1], submit=False)
    holding, release, errors = threading.Event(), threading.Event(), []

    def submit_first_and_wait():
        with transaction.atomic():
            deal_submit(deal=first, user=world.user_a)
            holding.set()
            release.wait(10)  # keep the transaction open while the second submission starts

    one = _in_thread(submit_first_and_wait, errors)
    assert holding.wait(10)
    two = _in_thread(lambda: deal_submit(deal=second, user=world.user_b), errors)
    time.sleep(0.5)  # the second submission is now waiting for the first to commit
    release.set()
    one.join(10)
    two.join(10)
    assert errors == []
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.has_conflict and second.has_conflict


def test_concurrent_registrations_get_distinct_references(world, products):
    errors: list = []
    made: list = []
    users = [world.user_a, world.admin_a, world.user_b, world.admin_b]
    threads = [
        _in_thread(lambda u=user: made.append(register(u, products=products[:1]).reference), errors) for user in users
    ]
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert len(made) == 4 and len(set(made)) == 4
