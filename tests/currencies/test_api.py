"""Rates over the API: every signed-in user reads them; the channel team writes one or many at once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import UnconvertedAmount
from currencies.models import ExchangeRate
from tests import factories as f
from tests.fixtures.api import error_of

pytestmark = pytest.mark.usefixtures("shared_world")

MONTH = date.today().replace(day=1).isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def test_everyone_signed_in_reads_the_rates(world, client_for, anon, django_assert_max_num_queries):
    for i in range(5):
        f.ExchangeRateFactory(currency="EUR", date=date.today() - timedelta(days=i))
    f.ExchangeRateFactory(currency="GBP", date=date.today().replace(day=1), granularity="month", rate=Decimal("1.27"))
    client = client_for("user_b")
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/rates/", {"currency": "gbp"}).json()
    assert [(r["currency"], r["granularity"], r["rate"]) for r in body["results"]] == [("GBP", "month", "1.2700000000")]
    assert len(client.get("/api/v1/rates/").json()["results"]) == 6
    assert anon.get("/api/v1/rates/").status_code == 401


def test_one_rate_is_created_then_replaced(world, client_for, settings):
    settings.PRM_REPORTING_CURRENCY = "USD"
    client = client_for("manager")
    first = client.post(
        "/api/v1/rates/", {"currency": "eur", "date": MONTH, "granularity": "month", "rate": "1.08"}, format="json"
    )
    assert first.status_code == 201 and first.json()["source"] == "api" and first.json()["currency"] == "EUR"
    second = client.post(
        "/api/v1/rates/", {"currency": "EUR", "date": MONTH, "granularity": "month", "rate": 1.09}, format="json"
    )
    assert second.status_code == 200 and Decimal(second.json()["rate"]) == Decimal("1.09")
    assert ExchangeRate.objects.get().rate == Decimal("1.09")


def test_bulk_errors_by_item_and_field_and_all_or_nothing(world, client_for, settings):
    settings.PRM_REPORTING_CURRENCY = "USD"
    client = client_for("manager")
    items = [
        {"currency": "EUR", "date": YESTERDAY, "rate": "1.08"},
        {"currency": "USD", "date": YESTERDAY, "rate": "1"},
        {"currency": "GBP", "date": "yesterday", "rate": "0", "colour": "red"},
    ]
    refused = client.post("/api/v1/rates/bulk/", {"items": items}, format="json")
    assert refused.status_code == 400 and error_of(refused)["code"] == "invalid_items"
    results = refused.json()["results"]
    assert results[0]["status"] == "not_saved"
    assert results[1]["errors"] == {"currency": ["USD is the reporting currency: its rate is always 1"]}
    assert set(results[2]["errors"]) == {"colour", "date", "rate"}
    assert not ExchangeRate.objects.exists()
    partial = client.post("/api/v1/rates/bulk/?mode=partial", {"items": items}, format="json")
    assert partial.status_code == 200 and partial.json()["created"] == 1 and partial.json()["failed"] == 2
    assert list(ExchangeRate.objects.values_list("currency", "source")) == [("EUR", "api")]


def test_partners_may_not_write_rates(world, client_for):
    for who in ("admin_a", "user_b", "distributor_admin"):
        one = client_for(who).post("/api/v1/rates/", {"currency": "EUR", "date": MONTH, "rate": "1.1"}, format="json")
        many = client_for(who).post(
            "/api/v1/rates/bulk/", {"items": [{"currency": "EUR", "date": MONTH, "rate": "1"}]}, format="json"
        )
        assert one.status_code == 403 and many.status_code == 403
    assert not ExchangeRate.objects.exists()


def test_unconverted_amounts_are_for_managers(world, client_for):

    UnconvertedAmount.objects.create(
        kind="won",
        currency="GBP",
        month=date(2026, 3, 1),
        items=12,
        amount=Decimal("84000"),
        computed_at=timezone.now(),
    )
    body = client_for("manager").get("/api/v1/analytics/unconverted-amounts/").json()
    assert [r["text"] for r in body["results"]] == [
        "GBP amounts of March 2026 have no rate: 12 won deals, 84,000.00 GBP not included"
    ]
    assert client_for("admin_a").get("/api/v1/analytics/unconverted-amounts/").json()["results"] == []
