"""List pages keep a constant number of queries however many rows they show."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import DealEvent, DealLine
from tests import factories as f

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_deals(world, product, n: int) -> None:
    for i in range(n):
        partner = world.partner_a if i % 2 else world.partner_b
        deal = f.DealFactory(partner=partner, lines=[(product, 1, Decimal("10"))], has_conflict=i % 3 == 0)
        if i % 4 == 0:
            deal.status = "approved"
            deal.decided_at = timezone.now()
            deal.protection_expires_at = timezone.now() + timedelta(days=5)
            deal.save()


@pytest.mark.parametrize(
    "who, name",
    [
        ("user_a", "deals:deal_list"),
        ("user_a", "portal_home"),
        ("manager", "deals:manage_deal_list"),
        ("manager", "deals:manage_queue"),
        ("regional_manager", "deals:manage_queue"),
    ],
)
def test_list_pages_query_count_does_not_grow_with_rows(client, world, who, name):
    product = f.ProductFactory()
    client.force_login(getattr(world, who))
    url = reverse(name)
    _add_deals(world, product, 3)
    client.get(url)  # warm per-process caches (content types, sessions)
    few = _queries(client, url)
    _add_deals(world, product, 20)
    assert _queries(client, url) == few


def test_deal_detail_query_count_does_not_grow_with_lines_and_history(client, world):
    deal = f.DealFactory(partner=world.partner_a, lines=[(f.ProductFactory(), 1, Decimal("1"))])
    client.force_login(world.user_a)
    url = reverse("deals:deal_detail", args=[deal.pk])
    client.get(url)
    few = _queries(client, url)
    for _ in range(10):
        DealEvent.objects.create(deal=deal, at=timezone.now(), actor=f.PartnerUserFactory(partner=world.partner_a))
        DealLine.objects.create(deal=deal, product=f.ProductFactory(), quantity=1, unit_price=1)
    assert _queries(client, url) == few
