"""Deal lifecycle services: every allowed transition, forbidden ones by role, history, notices, events."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from deals.models import DealEvent, DealStatus
from deals.services import (
    deal_approve,
    deal_close,
    deal_extend,
    deal_reject,
    deal_request_extension,
    deal_submit,
    deal_update_draft,
    deal_withdraw,
)
from notifications.models import Notification
from partners.models import Program
from partners.selectors import manager_recipients
from tests import factories as f
from tests.deals.conftest import approved, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


# --- creating and submitting -------------------------------------------------------------------


def test_register_and_submit_sets_reference_amount_history_and_notifies(
    world, products, emitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = register(world.user_a, products=products[:2])
    assert re.fullmatch(rf"DR-{timezone.now().year}-\d{{6}}", deal.reference)
    assert deal.status == DealStatus.SUBMITTED
    assert deal.amount == Decimal("400.00")  # 2 lines × 2 × 100
    assert deal.submitted_by == world.user_a and deal.submitted_at
    event = deal.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", DealStatus.SUBMITTED, world.user_a)
    # EMEA has no regional manager: the managers covering every region hear about it.
    assert Notification.objects.filter(recipient=world.manager, verb="deal.submitted").count() == 1
    assert not Notification.objects.filter(recipient=world.regional_manager).exists()
    assert [e.name for e in emitted] == ["deal.submitted"]
    assert emitted[0].partner_id == world.partner_a.pk
    assert [m.to for m in mail.outbox] == [[world.manager.email]]


def test_draft_then_edit_then_submit(world, products):
    deal = register(world.user_a, products=products[:1], submit=False)
    assert deal.status == DealStatus.DRAFT and deal.submitted_at is None
    assert not Notification.objects.exists()
    deal_update_draft(
        deal=deal,
        user=world.user_a,
        customer=deal.customer,
        lines=[{"product": products[2], "quantity": 5, "unit_price": None}],
        expected_close_date=date.today() + timedelta(days=10),
    )
    assert [line.product for line in deal.lines.all()] == [products[2]]
    assert deal.amount == 5 * products[2].list_price  # empty unit price → list price
    deal_submit(deal=deal, user=world.admin_a)
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED
    assert list(deal.events.values_list("kind", "to_status")) == [
        ("created", "draft"),
        ("edited", ""),
        ("status", "submitted"),
    ]


def test_references_are_unique_and_skip_numbers_already_used(world, products):
    year = timezone.now().year
    f.DealFactory(reference=f"DR-{year}-000001", partner=world.partner_b)
    first = register(world.user_a, products=products[:1])
    f.DealFactory(reference=f"DR-{year}-{int(first.reference[-6:]) + 1:06d}", partner=world.partner_b)
    second = register(world.user_a, products=products[:1])
    assert first.reference == f"DR-{year}-000002"
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"product": None, "quantity": 1, "unit_price": 1}]}, "lines"),
        ({"lines": "negative"}, "lines"),
        ({"expected_close_date": date.today() - timedelta(days=1)}, "expected_close_date"),
        ({"currency": "dollars"}, "currency"),
        ({"deal_type": "bogus"}, "deal_type"),
    ],
)
def test_bad_registration_names_the_field(world, products, change, field):
    from deals.services import deal_create

    kwargs = {
        "partner": world.partner_a,
        "user": world.user_a,
        "customer": f.CustomerFactory(),
        "lines": [{"product": products[0], "quantity": 1, "unit_price": Decimal("10")}],
        "expected_close_date": date.today() + timedelta(days=5),
    }
    if change.get("lines") == "negative":
        change = {"lines": [{"product": products[0], "quantity": -3, "unit_price": Decimal("-1")}]}
    kwargs.update(change)
    with pytest.raises(ValidationError) as exc:
        deal_create(**kwargs)
    assert field in exc.value.message_dict


@pytest.mark.parametrize("who", ["manager", "user_b", "distributor_admin", "superuser"])
def test_only_members_of_the_partner_may_register_for_it(world, products, who):
    from deals.services import deal_create

    with pytest.raises(ActionNotPermittedError):
        deal_create(
            partner=world.partner_a if who != "distributor_admin" else world.reseller_of_distributor,
            user=getattr(world, who),
            customer=f.CustomerFactory(),
            lines=[{"product": products[0], "quantity": 1, "unit_price": Decimal("1")}],
            expected_close_date=date.today(),
        )


# --- decisions ---------------------------------------------------------------------------------


def test_approve_starts_protection_for_the_program_period_and_tells_the_partner(
    world, products, emitted, django_capture_on_commit_callbacks
):
    program = world.partner_a.program
    program.deal_protection_days = 60
    program.save()
    deal = register(world.user_a, products=products[:1])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deal_approve(deal=deal, user=world.manager, note="Go")
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED and deal.decided_by == world.manager
    assert deal.protection_expires_at == deal.decided_at + timedelta(days=60)
    event = deal.events.last()
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        "submitted",
        "approved",
        "Go",
        world.manager,
    )
    recipients = set(Notification.objects.filter(verb="deal.approved").values_list("recipient__username", flat=True))
    assert recipients == {"admin_a", "user_a"}
    assert sorted(m.to[0] for m in mail.outbox) == ["admin_a@example.com", "user_a@example.com"]
    assert "deal.approved" in [e.name for e in emitted]


def test_protection_falls_back_to_default_program_then_setting(world, products, settings):
    world.partner_a.program = None
    world.partner_a.save()
    Program.objects.update(deal_protection_days=45)
    deal = approved(world.user_a, world.manager, products=products[:1])
    assert deal.protection_expires_at - deal.decided_at == timedelta(days=45)
    Program.objects.update(is_default=False)
    settings.PRM_DEAL_PROTECTION_DAYS = 17
    deal = approved(world.user_a, world.manager, products=products[:1])
    assert deal.protection_expires_at - deal.decided_at == timedelta(days=17)


def test_reject_needs_a_reason_and_tells_the_partner(world, products):
    deal = register(world.user_a, products=products[:1])
    with pytest.raises(ValidationError) as exc:
        deal_reject(deal=deal, user=world.manager, reason="  ")
    assert "reason" in exc.value.message_dict
    deal_reject(deal=deal, user=world.manager, reason="Customer already served directly")
    deal.refresh_from_db()
    assert deal.status == DealStatus.REJECTED and deal.rejection_reason == "Customer already served directly"
    assert Notification.objects.filter(recipient=world.user_a, verb="deal.rejected").exists()


@pytest.mark.parametrize("start", ["draft", "submitted", "approved"])
def test_partner_may_withdraw_open_registrations(world, products, start):
    deal = register(world.user_a, products=products[:1], submit=start != "draft")
    if start == "approved":
        deal_approve(deal=deal, user=world.manager)
    deal_withdraw(deal=deal, user=world.admin_a, note="Customer postponed")
    deal.refresh_from_db()
    assert deal.status == DealStatus.WITHDRAWN
    event = deal.events.last()
    assert (event.from_status, event.to_status, event.note) == (start, "withdrawn", "Customer postponed")


def test_close_won_and_lost(world, products, emitted, django_capture_on_commit_callbacks):
    won = approved(world.user_a, world.manager, products=products[:1])
    lost = approved(world.user_a, world.manager, products=products[:1])
    with django_capture_on_commit_callbacks(execute=True):
        deal_close(deal=won, user=world.user_a, won=True)
    with pytest.raises(ValidationError) as exc:
        deal_close(deal=lost, user=world.user_a, won=False)
    assert "loss_reason" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        deal_close(deal=lost, user=world.user_a, won=False, loss_reason="price")
    won.refresh_from_db()
    lost.refresh_from_db()
    assert (won.status, lost.status, lost.loss_reason.code) == ("won", "lost", "price")
    assert won.loss_reason is None
    assert won.closed_at and lost.closed_at
    assert {"deal.won", "deal.lost"} <= {e.name for e in emitted}


def test_extension_requested_once_then_extended_once(world, products, emitted, django_capture_on_commit_callbacks):
    deal = approved(world.user_a, world.manager, products=products[:1])
    before = deal.protection_expires_at
    deal_request_extension(deal=deal, user=world.user_a)
    assert Notification.objects.filter(recipient=world.manager, verb="deal.extension_requested").exists()
    with pytest.raises(TransitionNotAllowedError, match="already requested"):
        deal_request_extension(deal=deal, user=world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        deal_extend(deal=deal, user=world.manager)
    deal.refresh_from_db()
    assert deal.protection_expires_at == before + timedelta(days=30)
    assert deal.extended_at and deal.events.filter(kind="extension").exists()
    assert "deal.extended" in [e.name for e in emitted]
    with pytest.raises(TransitionNotAllowedError, match="only once"):
        deal_extend(deal=deal, user=world.manager)


def test_manager_may_extend_without_a_request(world, products):
    deal = approved(world.user_a, world.manager, products=products[:1])
    deal_extend(deal=deal, user=world.manager, note="Big project")
    with pytest.raises(TransitionNotAllowedError, match="already been extended"):
        deal_request_extension(deal=deal, user=world.user_a)


# --- forbidden: wrong state --------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, action",
    [
        ("approved", "approve"),
        ("won", "approve"),
        ("rejected", "reject"),
        ("draft", "approve"),
        ("submitted", "close"),
        ("rejected", "withdraw"),
        ("won", "withdraw"),
        ("expired", "close"),
        ("submitted", "extend"),
        ("lost", "extend"),
        ("submitted", "request_extension"),
        ("approved", "submit"),
    ],
)
def test_transitions_not_in_the_lifecycle_are_refused_with_a_message(world, products, status, action):
    deal = f.DealFactory(partner=world.partner_a, status=status, lines=[(products[0], 1, Decimal("1"))])
    calls = {
        "approve": lambda: deal_approve(deal=deal, user=world.manager),
        "reject": lambda: deal_reject(deal=deal, user=world.manager, reason="x"),
        "close": lambda: deal_close(deal=deal, user=world.user_a, won=True),
        "withdraw": lambda: deal_withdraw(deal=deal, user=world.user_a),
        "extend": lambda: deal_extend(deal=deal, user=world.manager),
        "request_extension": lambda: deal_request_extension(deal=deal, user=world.user_a),
        "submit": lambda: deal_submit(deal=deal, user=world.user_a),
    }
    with pytest.raises(TransitionNotAllowedError) as exc:
        calls[action]()
    assert deal.reference in exc.value.message
    deal.refresh_from_db()
    assert deal.status == status
    assert not DealEvent.objects.filter(deal=deal).exists()


# --- forbidden: wrong actor --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["user_a", "admin_a", "user_b", "regional_manager", "distributor_admin"])
def test_only_managers_covering_the_partner_decide(world, products, who):
    deal = register(world.user_a, products=products[:1])
    for call in (
        lambda: deal_approve(deal=deal, user=getattr(world, who)),
        lambda: deal_reject(deal=deal, user=getattr(world, who), reason="no"),
    ):
        with pytest.raises(ActionNotPermittedError):
            call()
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


def test_regional_manager_decides_in_their_region(world, products):
    deal = register(world.user_b, products=products[:1])
    deal_approve(deal=deal, user=world.regional_manager)
    with pytest.raises(ActionNotPermittedError):
        deal_extend(deal=deal, user=world.admin_b)
    deal_extend(deal=deal, user=world.regional_manager)


@pytest.mark.parametrize("who", ["manager", "user_b", "superuser"])
def test_only_the_partner_withdraws_closes_or_asks_for_extension(world, products, who):
    deal = approved(world.user_a, world.manager, products=products[:1])
    actor = getattr(world, who)
    for call in (
        lambda: deal_withdraw(deal=deal, user=actor),
        lambda: deal_close(deal=deal, user=actor, won=True),
        lambda: deal_request_extension(deal=deal, user=actor),
    ):
        with pytest.raises(ActionNotPermittedError):
            call()


def test_distributor_view_of_a_resellers_deal_is_read_only(world, products):
    reseller_user = f.PartnerUserFactory(partner=world.reseller_of_distributor)
    deal = register(reseller_user, products=products[:1])
    with pytest.raises(ActionNotPermittedError, match="read-only"):
        deal_withdraw(deal=deal, user=world.distributor_admin)
    deal_withdraw(deal=deal, user=reseller_user)


def test_inactive_or_terminated_partners_cannot_submit(world, products):
    draft = register(world.user_a, products=products[:1], submit=False)
    world.partner_a.status = "terminated"
    world.partner_a.save()
    draft.partner.refresh_from_db()
    with pytest.raises(ActionNotPermittedError, match="terminated"):
        register(world.user_a, products=products[:1])
    with pytest.raises(ActionNotPermittedError, match="terminated"):
        deal_submit(deal=draft, user=world.user_a)
    deal_withdraw(deal=draft, user=world.user_a)  # tidying up is still allowed


def test_inactive_partner_user_cannot_act(world, products):
    deal = register(world.user_a, products=products[:1])
    world.admin_a.is_active = False
    world.admin_a.save()
    with pytest.raises(ActionNotPermittedError):
        deal_withdraw(deal=deal, user=world.admin_a)


# --- who hears about it ------------------------------------------------------------------------


def test_manager_recipients_account_manager_else_everyone_in_scope(world):
    # No account manager: the Americas manager and the one covering every region (tests/partners/test_recipients.py).
    assert manager_recipients(partner=world.partner_b) == [world.manager, world.regional_manager]
    assert manager_recipients(partner=world.partner_a) == [world.manager]  # no EMEA manager: the global one
    owner = f.ManagerFactory(username="owner")
    world.partner_b.account_manager = owner
    world.partner_b.save()
    assert manager_recipients(partner=world.partner_b) == [owner]
    owner.is_active = False
    owner.save()
    assert manager_recipients(partner=world.partner_b) == [world.manager, world.regional_manager]
