"""Pages state the reporting currency; managers see what the period's figures leave out for want of a rate."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.models import UnconvertedAmount

pytestmark = pytest.mark.django_db

NOTE = "EUR amounts of {month} have no rate: 12 won deals, 84,000.00 EUR not included"


def _last_month() -> date:
    return (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)


def test_managers_see_the_gaps_partners_only_the_basis(world, client, settings):
    settings.PRM_REPORTING_CURRENCY = "USD"
    month = _last_month()
    UnconvertedAmount.objects.create(
        kind="won", currency="EUR", month=month, items=12, amount=Decimal("84000"), computed_at=timezone.now()
    )
    UnconvertedAmount.objects.create(  # another period: not on this page
        kind="won",
        currency="JPY",
        month=month - timedelta(days=40),
        items=1,
        amount=Decimal("5"),
        computed_at=timezone.now(),
    )
    note = NOTE.format(month=f"{month:%B %Y}")
    client.force_login(world.manager)
    for name in ("manage_home", "dashboards:partner_list", "dashboards:inventory"):
        page = client.get(reverse(name)).content.decode()
        assert "Amounts in USD at the rate of each deal&#x27;s close date" in page, name
        assert note in page and "JPY" not in page, name
    client.force_login(world.admin_a)
    page = client.get(reverse("dashboards:portal_scorecard")).content.decode()
    assert "Amounts in USD at the rate of each deal&#x27;s close date" in page
    assert "EUR amounts" not in page


def test_the_reporting_currency_labels_money(world, client, settings):
    settings.PRM_REPORTING_CURRENCY = "EUR"
    client.force_login(world.manager)
    page = client.get(reverse("manage_home")).content.decode()
    assert "Amounts in EUR at the rate" in page
