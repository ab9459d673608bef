"""Inventory over the API: single writes and bulk upserts (10,000 rows in one request)."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import InventoryReport
from tests import factories as f
from tests.fixtures.api import error_of

pytestmark = pytest.mark.usefixtures("shared_world")

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def test_one_row_is_created_then_replaced(world, catalog, client_for):
    client = client_for("user_a")
    row = {"sku": "SW-100", "date": YESTERDAY, "on_hand": 5, "units_sold": 2}
    first = client.post("/api/v1/inventory/", row, format="json")
    assert first.status_code == 201 and first.json()["source"] == "api"
    second = client.post("/api/v1/inventory/", {**row, "on_hand": 7}, format="json")
    assert second.status_code == 200 and second.json()["on_hand"] == 7
    assert InventoryReport.objects.get().on_hand == 7


def test_a_manager_reports_for_a_partner_in_scope_only(world, catalog, client_for):
    row = {"sku": "SW-100", "date": YESTERDAY, "on_hand": 5, "units_sold": 2}
    missing = client_for("manager").post("/api/v1/inventory/", row, format="json")
    assert missing.status_code == 400 and "partner" in error_of(missing)["fields"]
    ok = client_for("manager").post("/api/v1/inventory/", {**row, "partner": world.partner_a.pk}, format="json")
    assert ok.status_code == 201
    refused = client_for("regional_manager").post(
        "/api/v1/inventory/", {**row, "partner": world.partner_a.pk}, format="json"
    )
    assert refused.status_code == 400 and "partner" in error_of(refused)["fields"]
    other = client_for("admin_b").post("/api/v1/inventory/", {**row, "partner": world.partner_a.pk}, format="json")
    assert other.status_code == 400


def _rows(products, day: str, count: int) -> list[dict]:
    return [
        {
            "sku": products[i % len(products)].sku,
            "date": (date.today() - timedelta(days=1 + i // len(products))).isoformat(),
            "on_hand": i % 50,
            "units_sold": i % 7,
            "on_order": i % 3,
        }
        for i in range(count)
    ]


def test_ten_thousand_rows_in_one_request_with_few_queries(world, client_for):
    products = [f.ProductFactory() for _ in range(100)]
    rows = _rows(products, YESTERDAY, 10_000)
    client = client_for("admin_a")
    client.get("/api/v1/inventory/")
    started = time.monotonic()
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/inventory/bulk/", {"items": rows}, format="json")
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert (body["total"], body["succeeded"], body["created"], body["updated"]) == (10_000, 10_000, 10_000, 0)
    assert InventoryReport.objects.filter(partner=world.partner_a, source="api").count() == 10_000
    # No per-row queries: one catalog read and chunked upserts (SQLite splits each chunk by its
    # variable limit into ~90-row INSERTs; PostgreSQL sends one INSERT per 2,000 rows).
    assert len(ctx) < (150 if connection.vendor == "sqlite" else 30)
    assert elapsed < 30
    again = client.post("/api/v1/inventory/bulk/", {"items": rows}, format="json").json()
    assert (again["created"], again["updated"]) == (0, 10_000)


def test_inventory_bulk_modes(world, catalog, client_for):
    rows = [
        {"sku": "SW-100", "date": YESTERDAY, "on_hand": 1, "units_sold": 1},
        {"sku": "SW-100", "date": "2999-01-01", "on_hand": 1, "units_sold": 1},
        {"product": catalog["disk"].pk, "date": YESTERDAY, "on_hand": -3, "units_sold": "x"},
    ]
    client = client_for("admin_a")
    refused = client.post("/api/v1/inventory/bulk/", {"items": rows}, format="json")
    assert refused.status_code == 400 and InventoryReport.objects.count() == 0
    results = refused.json()["results"]
    assert [r["status"] for r in results] == ["not_saved", "invalid", "invalid"]
    assert set(results[2]["errors"]) == {"on_hand", "units_sold"}
    partial = client.post("/api/v1/inventory/bulk/?mode=partial", {"items": rows}, format="json")
    assert partial.status_code == 200
    assert [r["status"] for r in partial.json()["results"]] == ["saved", "invalid", "invalid"]
    assert InventoryReport.objects.count() == 1


def test_bulk_limits_and_envelope(world, catalog, client_for, settings):
    settings.PRM_API_BULK_MAX_ITEMS = 3
    client = client_for("admin_a")
    row = {"sku": "SW-100", "date": YESTERDAY, "on_hand": 1, "units_sold": 1}
    too_many = client.post("/api/v1/inventory/bulk/", {"items": [row] * 4}, format="json")
    assert too_many.status_code == 413 and error_of(too_many)["code"] == "too_many_items"
    assert "at most 3" in error_of(too_many)["message"]
    assert client.post("/api/v1/inventory/bulk/", [row], format="json").status_code == 400
    assert client.post("/api/v1/inventory/bulk/", {"items": []}, format="json").status_code == 400
    assert client.post("/api/v1/inventory/bulk/?mode=some", {"items": [row]}, format="json").status_code == 400
