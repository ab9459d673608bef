"""The catalog over the API: reference data every signed-in user reads; edited in the admin only."""

from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_signed_in_user_reads_the_whole_catalog(world, catalog, client_for, anon):
    skus = {"SW-100", "RT-200", "DK-300"}
    for who in ("admin_a", "user_b", "regional_manager", "distributor_admin"):
        rows = client_for(who).get("/api/v1/products/").json()["results"]
        assert {r["sku"] for r in rows} == skus, who
    assert anon.get("/api/v1/products/").status_code == 401


def test_products_are_found_by_sku_name_and_line(world, catalog, client_for):
    client = client_for("admin_a")
    f.ProductFactory(sku="SW-1000", name="Core switch", product_line=catalog["switch"].product_line)
    by_sku = client.get("/api/v1/products/", {"sku": "sw-100"}).json()["results"]
    assert [r["sku"] for r in by_sku] == ["SW-100"]  # exact, whatever the case
    found = client.get("/api/v1/products/", {"q": "sw-10"}).json()["results"]
    assert {r["sku"] for r in found} == {"SW-100", "SW-1000"}
    storage = catalog["disk"].product_line
    in_line = client.get("/api/v1/products/", {"product_line": storage.pk}).json()["results"]
    assert [(r["sku"], r["product_line_code"]) for r in in_line] == [("DK-300", "storage")]
    lines = client.get("/api/v1/product-lines/").json()["results"]
    assert {r["code"] for r in lines} == {"network", "storage"}


def test_the_catalog_cannot_be_changed_over_the_api(world, catalog, client_for):
    client = client_for("manager")
    switch = catalog["switch"]
    assert client.post("/api/v1/products/", {"sku": "NEW-1"}, format="json").status_code == 405
    assert client.patch(f"/api/v1/products/{switch.pk}/", {"name": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/product-lines/{switch.product_line_id}/").status_code == 405
