"""Channel-conflict detection at submission, and that a partner never learns who the other partner is."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from customers.services import customer_get_or_create
from deals.models import DealConflict, DealEvent, DealStatus
from deals.services import deal_approve, deal_submit
from notifications.models import Notification
from tests import factories as f
from tests.deals.conftest import approved, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def _customer(name: str, domain: str = ""):
    # Separate rows on purpose: matching must work on normalised values, not on the same customer row.
    return f.CustomerFactory(name=name, domain=domain)


def test_same_normalised_name_and_a_common_product_conflict_on_both_sides(
    world, products, emitted, django_capture_on_commit_callbacks
):
    first = register(world.user_b, customer=_customer("ACME, Inc.", "acme.com"), products=products[:2])
    with django_capture_on_commit_callbacks(execute=True):
        second = register(world.user_a, customer=_customer("acme", "acme-group.de"), products=products[1:])
    first.refresh_from_db()
    assert first.has_conflict and second.has_conflict
    assert set(DealConflict.objects.values_list("from_deal", "to_deal")) == {
        (first.pk, second.pk),
        (second.pk, first.pk),
    }
    link = DealConflict.objects.get(from_deal=second)
    assert "customer name" in link.reason and "NET-200" in link.reason and "NET-100" not in link.reason
    assert DealEvent.objects.filter(kind="conflict", deal=first, actor=None).count() == 1
    assert DealEvent.objects.filter(kind="conflict", deal=second, actor=None).count() == 1
    # Managers of both partners hear about it (AMER: the regional manager; EMEA: the global one).
    conflict_notes = Notification.objects.filter(verb="deal.conflict_detected")
    assert set(conflict_notes.values_list("recipient__username", flat=True)) == {"manager", "amer_manager"}
    assert "Bravo Networks" in conflict_notes.first().body
    for note in conflict_notes:
        assert note.title.endswith("overlaps 1 registration") and "(s)" not in note.title + note.body
    conflict_events = [e for e in emitted if e.name == "deal.conflict_detected"]
    assert {e.partner_id for e in conflict_events} == {world.partner_a.pk, world.partner_b.pk}


def test_same_domain_with_different_names_conflicts(world, products):
    register(world.user_b, customer=_customer("Globex Corporation", "https://www.globex.com/about"), products=products)
    deal = register(world.user_a, customer=_customer("Globex Europe Holding", "globex.com"), products=products[:1])
    assert deal.has_conflict
    assert "domain" in DealConflict.objects.get(from_deal=deal).reason


def test_customer_get_or_create_reuses_normalised_matches(world):
    first = customer_get_or_create(name="Initech GmbH", domain="WWW.Initech.de")
    assert first.domain == "initech.de"
    assert customer_get_or_create(name="Something else", domain="initech.de/") == first
    assert customer_get_or_create(name="initech") == first
    assert customer_get_or_create(name="Initrode") != first


def test_a_partner_never_gets_another_partners_customer_record(world, products):
    theirs = f.CustomerFactory(name="Initech Inc.", domain="initech.com", country="FR")
    register(world.user_b, customer=theirs, products=products[:1])
    mine = customer_get_or_create(name="initech", domain="initech.com", country="US", visible_to=world.user_a)
    assert mine != theirs and (mine.name, mine.country.code) == ("initech", "US")
    # Still the same company for conflict detection, and reused for the partner's next deal.
    assert register(world.user_a, customer=mine, products=products[:1]).has_conflict
    assert customer_get_or_create(name="INITECH, Inc.", visible_to=world.user_a) == mine
    assert customer_get_or_create(name="Initech", visible_to=world.manager) == theirs


def test_no_conflict_without_a_product_in_common(world, products):
    register(world.user_b, customer=_customer("Umbrella Ltd"), products=products[:2])
    deal = register(world.user_a, customer=_customer("Umbrella"), products=products[2:])
    assert not deal.has_conflict
    assert not DealConflict.objects.exists()


def test_no_conflict_with_the_same_partner(world, products):
    customer = _customer("Hooli")
    register(world.user_a, customer=customer, products=products)
    deal = register(world.admin_a, customer=customer, products=products)
    assert not deal.has_conflict


@pytest.mark.parametrize("status", ["draft", "rejected", "withdrawn", "won", "lost", "expired"])
def test_no_conflict_with_registrations_that_are_not_open(world, products, status):
    customer = _customer("Soylent")
    f.DealFactory(
        partner=world.partner_b,
        customer=customer,
        status=status,
        lines=[(products[0], 1, Decimal("5"))],
        submitted_at=None if status == "draft" else timezone.now(),
    )
    deal = register(world.user_a, customer=customer, products=products[:1])
    assert not deal.has_conflict


def test_no_conflict_with_an_approved_registration_whose_protection_ended(world, products):
    customer = _customer("Vandelay Industries")
    old = approved(world.user_b, world.regional_manager, customer=customer, products=products[:1])
    old.protection_expires_at = timezone.now() - timedelta(minutes=1)
    old.save()
    assert not register(world.user_a, customer=customer, products=products[:1]).has_conflict


def test_an_approved_competitor_conflicts_and_is_not_auto_rejected(world, products):
    customer = _customer("Wayne Enterprises")
    protected = approved(world.user_b, world.regional_manager, customer=customer, products=products[:1])
    newcomer = register(world.user_a, customer=customer, products=products[:1])
    assert newcomer.has_conflict
    deal_approve(deal=newcomer, user=world.manager)
    protected.refresh_from_db()
    assert protected.status == DealStatus.APPROVED and newcomer.status == DealStatus.APPROVED


def test_conflict_is_checked_when_a_draft_is_submitted(world, products):
    customer = _customer("Stark Industries")
    register(world.user_b, customer=customer, products=products[:1])
    draft = register(world.user_a, customer=customer, products=products[:1], submit=False)
    assert not draft.has_conflict
    deal_submit(deal=draft, user=world.user_a)
    assert draft.has_conflict


def test_the_submitting_partner_never_learns_who_the_other_partner_is(
    world, products, django_capture_on_commit_callbacks
):
    customer = _customer("Cyberdyne Systems")
    other = register(world.user_b, customer=customer, products=products[:1], notes="Bravo secret pricing")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deal = register(world.user_a, customer=customer, products=products[:1])
        deal_approve(deal=deal, user=world.manager)
    secrets = [world.partner_b.name, other.reference, "user_b", "admin_b", "Bravo secret pricing", "amer_manager"]
    partner_a_users = [world.user_a, world.admin_a]
    texts = [n.title + n.body + n.url for n in Notification.objects.filter(recipient__in=partner_a_users)]
    texts += [m.subject + m.body for m in mail.outbox if set(m.to) & {u.email for u in partner_a_users}]
    texts += [e.note for e in deal.events.all()]
    assert texts, "partner A should have been told something"
    for text in texts:
        for secret in secrets:
            assert secret not in text
    # The other side's history does not name the newcomer either.
    for note in other.events.values_list("note", flat=True):
        assert world.partner_a.name not in note and deal.reference not in note


def test_each_manager_reads_a_conflict_notice_rendered_for_their_regions(
    world, products, django_capture_on_commit_callbacks
):
    """The Americas manager hears about partner B's side only: never partner A's name or A's customer."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        theirs = register(world.user_b, customer=_customer("Bravo Buyer Inc", "tyrell.example"), products=products)
        mine = register(world.user_a, customer=_customer("Alpha Secret Buyer", "tyrell.example"), products=products)
    assert mine.has_conflict
    regional = Notification.objects.get(verb="deal.conflict_detected", recipient=world.regional_manager)
    regional_mail = [m for m in mail.outbox if m.to == [world.regional_manager.email] and "conflict" in m.subject]
    assert len(regional_mail) == 1
    for text in (regional.title, regional.body, regional.url, regional_mail[0].subject, regional_mail[0].body):
        assert "Alpha" not in text and "Secret Buyer" not in text
    # It says what the manager may know: their partner's registration, and the other side's reference.
    assert theirs.reference in regional.body and "Bravo Networks" in regional.body and mine.reference in regional.body
    assert regional.url == reverse("deals:manage_deal_conflicts", args=[theirs.pk])
    everywhere = Notification.objects.get(verb="deal.conflict_detected", recipient=world.manager)
    assert "Alpha Systems" in everywhere.body and "Bravo Networks" in everywhere.body
    assert "Alpha Secret Buyer" in everywhere.body


def test_an_account_manager_outside_the_partners_region_hears_nothing_of_it(world, products):
    """The recipients of a partner's notices are managers who may see the partner (the visibility rule)."""
    world.partner_a.account_manager = world.regional_manager  # limited to the Americas; partner A is in EMEA
    world.partner_a.save()
    deal = register(world.user_a, customer=_customer("Initrode EMEA"), products=products[:1])
    submitted = Notification.objects.filter(verb="deal.submitted")
    assert not submitted.filter(recipient=world.regional_manager).exists()
    assert submitted.filter(recipient=world.manager, title__contains=deal.reference).exists()


def test_a_registration_overlapping_two_says_so_in_the_plural(world, products, django_capture_on_commit_callbacks):
    third = f.PartnerFactory(name="Charlie Partners", region=world.emea)
    register(world.user_b, customer=_customer("Globex", "globex.example"), products=products)
    register(f.PartnerUserFactory(partner=third), customer=_customer("GLOBEX"), products=products)
    with django_capture_on_commit_callbacks(execute=True):
        deal = register(world.user_a, customer=_customer("globex", "globex.example"), products=products)
    notes = Notification.objects.filter(verb="deal.conflict_detected", recipient=world.manager)
    note = notes.get(title__contains=deal.reference)
    assert note.title == f"Channel conflict: {deal.reference} (Alpha Systems) overlaps 2 registrations"
