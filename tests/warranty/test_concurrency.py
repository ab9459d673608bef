"""Concurrent filings on PostgreSQL: the workflow toolkit's locked counter never hands out a reference twice."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from warranty.services import claim_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_filings_get_distinct_references(world, product, failure_code):
    users = [world.user_a, world.admin_a, world.user_b, world.admin_b] * 2
    made: list[str] = []
    errors: list[Exception] = []
    start = threading.Barrier(len(users))

    def file(user, number):
        try:
            start.wait(10)
            claim = claim_create(
                partner=user.partner,
                user=user,
                product=product,
                serial_number=f"SN-{number}",
                purchase_date=date.today() - timedelta(days=30),
                failure_date=date.today() - timedelta(days=1),
                failure_code=failure_code,
                parts_amount=Decimal("10"),
                labour_amount=Decimal("0"),
            )
            made.append(claim.reference)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(user, i)) for i, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(made) == len(users) and len(set(made)) == len(users)
