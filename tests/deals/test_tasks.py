"""Scheduled deal jobs: expiry and the 7-day warning, each once and idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from deals.jobs import deals_expire, deals_warn_expiring
from deals.models import DealStatus
from deals.services import deal_close, deal_extend
from deals.tasks import expire_deals, warn_expiring_deals
from notifications.models import Notification
from tests.deals.conftest import approved

pytestmark = pytest.mark.django_db


def _ending_in(deal, delta: timedelta):
    deal.protection_expires_at = timezone.now() + delta
    deal.save(update_fields=["protection_expires_at"])
    return deal


def test_expiry_expires_approved_deals_whose_protection_ended_never_won_or_lost_ones(
    world, products, emitted, django_capture_on_commit_callbacks
):
    due = _ending_in(approved(world.user_a, world.manager, products=products[:1]), -timedelta(hours=1))
    future = _ending_in(approved(world.user_a, world.manager, products=products[:1]), timedelta(days=3))
    won = approved(world.user_a, world.manager, products=products[:1])
    deal_close(deal=won, user=world.user_a, won=True)
    _ending_in(won, -timedelta(days=5))
    lost = approved(world.user_a, world.manager, products=products[:1])
    deal_close(deal=lost, user=world.user_a, won=False, loss_reason="no_budget")
    _ending_in(lost, -timedelta(days=5))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert deals_expire() == 1
    for deal in (due, future, won, lost):
        deal.refresh_from_db()
    assert (due.status, future.status, won.status, lost.status) == ("expired", "approved", "won", "lost")
    event = due.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("approved", "expired", None)
    assert Notification.objects.filter(verb="deal.expired", recipient=world.user_a).count() == 1
    assert {m.to[0] for m in mail.outbox} == {"user_a@example.com", "admin_a@example.com"}
    assert [e.name for e in emitted].count("deal.expired") == 1

    # A second run changes nothing.
    events_before = due.events.count()
    assert deals_expire() == 0
    assert due.events.count() == events_before
    assert Notification.objects.filter(verb="deal.expired").count() == 2


def test_expire_with_an_explicit_now_catches_deals_ending_before_it(world, products):
    deal = approved(world.user_a, world.manager, products=products[:1])
    assert deals_expire(now=deal.protection_expires_at - timedelta(seconds=1)) == 0
    assert deals_expire(now=deal.protection_expires_at) == 1


def test_warning_sent_once_seven_days_before(world, products):
    soon = _ending_in(approved(world.user_a, world.manager, products=products[:1]), timedelta(days=6))
    later = _ending_in(approved(world.user_a, world.manager, products=products[:1]), timedelta(days=8))
    assert deals_warn_expiring() == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.expiry_warning_sent_at and later.expiry_warning_sent_at is None
    assert soon.events.filter(kind="expiry_warning").count() == 1
    warnings = Notification.objects.filter(verb="deal.expiring")
    assert set(warnings.values_list("recipient__username", flat=True)) == {"user_a", "admin_a"}
    assert "extension" in warnings.first().body
    assert deals_warn_expiring() == 0
    assert warnings.count() == 2


def test_extension_rearms_the_warning_for_the_new_end(world, products):
    deal = _ending_in(approved(world.user_a, world.manager, products=products[:1]), timedelta(days=2))
    assert deals_warn_expiring() == 1
    deal_extend(deal=deal, user=world.manager)
    deal.refresh_from_db()
    assert deal.expiry_warning_sent_at is None
    assert deals_warn_expiring() == 0  # the new end is 32 days away
    assert deals_warn_expiring(now=deal.protection_expires_at - timedelta(days=3)) == 1


def test_celery_tasks_call_the_services(world, products):
    _ending_in(approved(world.user_a, world.manager, products=products[:1]), -timedelta(minutes=5))
    _ending_in(approved(world.user_a, world.manager, products=products[:1]), timedelta(days=1))
    assert expire_deals.delay().get() == 1
    assert warn_expiring_deals.delay().get() == 1
    assert expire_deals.name == "deals.tasks.expire_deals"
    assert warn_expiring_deals.name == "deals.tasks.warn_expiring_deals"
    assert DealStatus.EXPIRED in set(world.partner_a.deals.values_list("status", flat=True))
