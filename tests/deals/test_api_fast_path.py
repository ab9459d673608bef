"""Contract: the deal list's fast path (deals/api/fast.py) writes byte for byte what DealSerializer writes.

Over varied data: every status, drafts without submitter, decided deals, deals with no line, one line or
several (odd prices), conflicts in both directions, a customer without a country; for a manager, a
regional manager, a partner admin and a distributor; in UTC, in a zone at +00:00 that is not UTC, and in
zones east and west of it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from deals.api import fast
from deals.api.serializers import DealConflictSerializer, DealSerializer, conflict_representation, conflict_rows
from deals.api.views import DealViewSet
from deals.models import DealConflict, DealRegistration, DealStatus, LossReason
from tests import factories as f

ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"]  # London: +00:00 in winter, not UTC


@pytest.fixture
def deals(world, catalog):
    now = timezone.now().replace(microsecond=654321)
    made = []
    for index, status in enumerate(DealStatus.values):
        decided = status not in (DealStatus.DRAFT, DealStatus.SUBMITTED)
        made.append(
            f.DealFactory(
                partner=world.partner_a if index % 2 else world.reseller_of_distributor,
                status=status,
                submitted_at=None if status == DealStatus.DRAFT else now - timedelta(days=index, seconds=index),
                submitted_by=None if status == DealStatus.DRAFT else world.admin_a,
                decided_at=now - timedelta(hours=index) if decided else None,
                decided_by=world.manager if decided else None,
                protection_expires_at=now + timedelta(days=90) if status == DealStatus.APPROVED else None,
                extension_requested_at=now if status == DealStatus.APPROVED else None,
                closed_at=now if status in (DealStatus.WON, DealStatus.LOST) else None,
                rejection_reason="Duplicate registration" if status == DealStatus.REJECTED else "",
                loss_reason=LossReason.objects.get(code="price") if status == DealStatus.LOST else None,
                loss_note="Ünïcode “note”" if status == DealStatus.LOST else "",
                notes="Ünïcode “notes”\nsecond line" if index % 3 == 0 else "",
                lines=[(catalog["switch"], 3, "19.99"), (catalog["disk"], 1, "0.50")][: index % 3],
            )
        )
    no_country = f.DealFactory(
        partner=world.partner_a, customer=f.CustomerFactory(country=""), lines=[(catalog["router"], 7, "12345678.01")]
    )
    other = f.DealFactory(partner=world.partner_b, has_conflict=True, lines=[(catalog["switch"], 1, "5")])
    no_country.has_conflict = True
    no_country.save(update_fields=["has_conflict"])
    for one, two in ((no_country, other), (other, no_country)):
        DealConflict.objects.create(from_deal=one, to_deal=two, detected_at=now, reason="same domain")
    return [*made, no_country, other]


def _context(user) -> dict:
    request = APIRequestFactory().get("/api/v1/deals/")
    request.user = user
    return {"request": request}


def _declared(ids: list[int], context: dict) -> list[dict]:
    view = DealViewSet(action="retrieve", request=context["request"], format_kwarg=None)
    instances = view.get_queryset().filter(pk__in=ids).order_by("pk")
    return [DealSerializer(deal, context=context).data for deal in instances]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("who", ["manager", "regional_manager", "admin_a", "distributor_admin"])
def test_the_fast_path_writes_what_the_declared_serializer_writes(world, deals, who, zone):
    user = getattr(world, who)
    context = _context(user)
    visible = DealRegistration.objects.visible_to(user).order_by("pk")
    ids = list(visible.values_list("pk", flat=True))
    assert ids, "each role sees some of the deals"
    with timezone.override(zone):
        quick = fast.deal_page(fast.deal_rows(fast.deal_queryset(visible)), context=context)
        declared = _declared(ids, context)
    assert quick == declared
    assert JSONRenderer().render(quick) == JSONRenderer().render(declared)  # same keys, order and forms


def test_the_data_covers_what_the_contract_claims(world, deals):
    rows = fast.deal_rows(fast.deal_queryset(DealRegistration.objects.order_by("pk")))
    page = fast.deal_page(rows, context=_context(world.manager))
    assert {row["status"] for row in page} == set(DealStatus.values)
    assert {len(row["lines"]) for row in page} >= {0, 1, 2}
    assert any(row["conflicts"] for row in page) and any(row["submitted_by"] is None for row in page)
    assert any(row["customer"]["country"] == "" for row in page)
    assert Decimal(page[-2]["lines"][0]["total"]) == Decimal("86419746.07")


def test_the_conflict_rows_are_written_as_the_declared_conflict_serializer_writes_links(world, deals):
    links = DealConflict.objects.select_related("to_deal__partner").order_by("pk")
    rows = conflict_rows([link.from_deal_id for link in links], user=world.manager)
    for link in links:
        [row] = [row for row in rows[link.from_deal_id] if row["to_deal_id"] == link.to_deal_id]
        for zone in ZONES:
            with timezone.override(zone):
                assert conflict_representation(row) == DealConflictSerializer(link).data
