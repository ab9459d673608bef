"""The demo history runs up to its anchor day: the month under way has data, the approval queue holds
registrations of realistic ages, and the channel team has notifications of the recent past."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.management import call_command
from django.db.models import Count

from deals.models import DealRegistration, DealStatus
from demo.config import MONTHS, month_coverage, month_starts
from notifications.models import Notification
from partners.models import Partner
from partners.selectors import manager_recipients
from warranty.models import WarrantyClaim

ANCHOR = date(2026, 11, 18)  # mid-month, fixed so the figures do not depend on the day the suite runs
ANCHOR_TIME = datetime(ANCHOR.year, ANCHOR.month, ANCHOR.day, tzinfo=UTC)
MONTH_START = ANCHOR_TIME.replace(day=1)


def seed() -> None:
    call_command("seed_demo", "--size=small", "--seed=7", f"--anchor={ANCHOR.isoformat()}", stdout=StringIO())


def figures() -> dict:
    return {
        "deals": sorted(DealRegistration.objects.values_list("reference", "status", "amount", "submitted_at")),
        "notifications": sorted(
            Notification.objects.values_list("recipient__username", "verb", "title", "created_at", "read_at")
        ),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed()
        yield SimpleNamespace(figures=figures())
        call_command("flush", interactive=False, verbosity=0)


pytestmark = pytest.mark.usefixtures("seeded")


def test_months_end_with_the_month_under_way():
    first_of_month = month_starts(date(2026, 11, 1))
    assert len(first_of_month) == MONTHS
    assert first_of_month[0] == np.datetime64("2024-11-01") and first_of_month[-1] == np.datetime64("2026-10-01")
    assert (month_coverage(date(2026, 11, 1)) == 1.0).all()
    mid = month_starts(ANCHOR)
    assert mid[0] == np.datetime64("2024-12-01") and mid[-1] == np.datetime64("2026-11-01")
    coverage = month_coverage(ANCHOR)
    days_in_november = calendar.monthrange(2026, 11)[1]
    assert coverage[-1] == pytest.approx((ANCHOR.day - 1) / days_in_november)
    assert (coverage[:-1] == 1.0).all()


@pytest.mark.django_db
def test_the_month_under_way_has_registrations_and_claims_up_to_the_anchor():
    this_month = DealRegistration.objects.filter(submitted_at__gte=MONTH_START)
    assert this_month.exists()
    assert not DealRegistration.objects.filter(submitted_at__gte=ANCHOR_TIME).exists()
    assert this_month.filter(submitted_at__gte=ANCHOR_TIME - timedelta(days=3)).exists()
    assert WarrantyClaim.objects.filter(submitted_at__gte=MONTH_START, submitted_at__lt=ANCHOR_TIME).exists()
    # In proportion to its days: per day elapsed, the month under way is about as busy as the month before.
    october = DealRegistration.objects.filter(
        submitted_at__gte=MONTH_START.replace(month=10), submitted_at__lt=MONTH_START
    ).count()
    per_day_now = this_month.count() / (ANCHOR.day - 1)
    per_day_before = october / 31
    assert 0.5 < per_day_now / per_day_before < 2.0


@pytest.mark.django_db
def test_the_approval_queue_holds_recent_submissions_of_spread_ages():
    waiting = DealRegistration.objects.filter(status=DealStatus.SUBMITTED, decided_at__isnull=True)
    ages = [(ANCHOR_TIME - d).total_seconds() / 86400 for d in waiting.values_list("submitted_at", flat=True)]
    assert len(ages) >= 5
    assert min(ages) < 2 and max(ages) < 28  # none waiting for a month: decisions take minutes to three weeks
    assert np.std(ages) > 1.0  # ages spread, not one batch


@pytest.mark.django_db
def test_notifications_follow_the_recipients_rule_and_the_manager_has_a_live_list():
    manager_notices = Notification.objects.filter(recipient__username="manager")
    assert manager_notices.filter(read_at__isnull=True).exists()
    assert manager_notices.filter(read_at__isnull=False).exists()
    assert not Notification.objects.filter(created_at__gte=ANCHOR_TIME).exists()
    submitted = Notification.objects.filter(verb="deal.submitted")
    heard: dict[str, set[str]] = {}
    for title, username in submitted.values_list("title", "recipient__username"):
        heard.setdefault(title.split()[2], set()).add(username)
    deals = DealRegistration.objects.filter(reference__in=heard).select_related("partner")
    assert deals.count() == len(heard) > 0
    for deal in deals:
        expected = {u.username for u in manager_recipients(partner=deal.partner)}
        assert heard[deal.reference] == expected
        for username in expected:  # nobody hears of a partner they may not see
            user = type(deal.submitted_by).objects.get(username=username)
            assert Partner.objects.visible_to(user).filter(pk=deal.partner_id).exists()
    # Partners without an account manager (onboarding, prospects) reach every manager in scope, `manager` too.
    unowned = Partner.objects.filter(account_manager__isnull=True)
    assert set(unowned.values_list("status", flat=True)) <= {"onboarding", "prospect"} and unowned.exists()
    showcase = Notification.objects.filter(recipient__username="northwind-admin").values("verb").annotate(n=Count("pk"))
    assert {row["verb"] for row in showcase} & {"deal.approved", "deal.rejected"}


@pytest.mark.django_db
def test_same_seed_and_day_give_the_same_history(seeded):
    seed()
    assert figures() == seeded.figures
