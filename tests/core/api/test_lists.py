"""Lists: the apps' FilterSets, ordering, cursor pagination and a query count that does not grow with rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import DealConflict, DealStatus
from tests import factories as f
from tests.fixtures.api import error_of

pytestmark = pytest.mark.usefixtures("shared_world")


def _make(kind: str, world, catalog, count: int) -> None:
    for _ in range(count):
        if kind == "deals":
            deal = f.DealFactory(
                partner=world.partner_a,
                has_conflict=True,
                lines=[(catalog["switch"], 1, "5"), (catalog["disk"], 2, "7")],
            )
            other = f.DealFactory(partner=world.partner_b, has_conflict=True, lines=[(catalog["switch"], 1, "5")])
            DealConflict.objects.create(from_deal=deal, to_deal=other, detected_at=deal.submitted_at, reason="x")
        elif kind == "inventory":
            f.InventoryReportFactory(partner=world.partner_a, product=f.ProductFactory())
        elif kind == "claims":
            f.WarrantyClaimFactory(partner=world.partner_a, product=catalog["router"], failure_code=catalog["psu"])
        elif kind == "partners":
            f.PartnerFactory(region=world.emea)
        elif kind == "certifications":
            f.CertificationFactory(partner=world.partner_a)
        elif kind == "customers":
            f.DealFactory(partner=world.partner_a, lines=[(catalog["switch"], 1, "5")])
        elif kind == "notifications":
            from notifications.models import Notification

            Notification.objects.create(recipient=world.manager, verb="x", title="t")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx)


@pytest.mark.parametrize(
    "kind", ["deals", "inventory", "claims", "partners", "certifications", "customers", "notifications"]
)
@pytest.mark.parametrize("role", ["manager", "regional_manager", "admin_a"])
def test_list_query_count_is_the_same_for_n_and_2n_rows(
    world, catalog, client_for, django_assert_max_num_queries, kind, role
):
    client = client_for(role)
    url = f"/api/v1/{kind}/"
    client.get(url)  # the first request of a token notes its use; later ones in the same minute do not
    _make(kind, world, catalog, 5)
    baseline = _queries(client, url)
    assert baseline <= 8
    _make(kind, world, catalog, 10)
    with django_assert_max_num_queries(baseline):
        assert client.get(url).status_code == 200


def test_cursor_pagination_walks_every_row_once_in_a_stable_order(world, catalog, client_for):
    deals = [f.DealFactory(partner=world.partner_a, lines=[(catalog["switch"], 1, "5")]) for _ in range(7)]
    client = client_for("admin_a")
    seen, url = [], "/api/v1/deals/?page_size=3"
    while url:
        page = client.get(url).json()
        assert set(page) == {"next", "previous", "results"}
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted((d.pk for d in deals), reverse=True)


def test_ordering_by_amount_keeps_paging_through_ties(world, catalog, client_for):
    for price in ("5", "5", "5", "9", "1"):
        f.DealFactory(partner=world.partner_a, lines=[(catalog["switch"], 1, price)])
    client = client_for("admin_a")
    seen, url = [], "/api/v1/deals/?ordering=-amount&page_size=2"
    while url:
        page = client.get(url).json()
        seen += [(row["amount"], row["id"]) for row in page["results"]]
        url = page["next"]
    assert [a for a, _ in seen] == ["9.00", "5.00", "5.00", "5.00", "1.00"]
    assert len({i for _, i in seen}) == 5


def test_a_tampered_cursor_is_a_400(world, client_for):
    response = client_for("admin_a").get("/api/v1/deals/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "cursor" in error_of(response)["fields"]
    import base64

    forged = base64.b64encode(b"p=abc&o=0").decode()
    response = client_for("admin_a").get("/api/v1/deals/", {"cursor": forged})
    assert response.status_code == 400


def test_deal_filters_are_the_pages_filter_set(world, catalog, client_for):
    approved = f.DealFactory(partner=world.partner_a, status=DealStatus.APPROVED, lines=[(catalog["disk"], 1, "5")])
    f.DealFactory(partner=world.partner_a, lines=[(catalog["switch"], 1, "5")])
    f.DealFactory(partner=world.partner_b, status=DealStatus.APPROVED, lines=[(catalog["disk"], 1, "5")])
    client = client_for("manager")

    def ids(**params):
        response = client.get("/api/v1/deals/", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(status="approved", region=world.emea.pk) == [approved.pk]
    assert ids(product_line=catalog["disk"].product_line_id, partner=world.partner_a.pk) == [approved.pk]
    assert ids(q=approved.reference) == [approved.pk]
    assert len(ids(submitted_after=(date.today() - timedelta(days=1)).isoformat())) == 3
    bad = client.get("/api/v1/deals/", {"status": "nonsense", "submitted_after": "yesterday"})
    assert bad.status_code == 400
    assert set(error_of(bad)["fields"]) == {"status", "submitted_after"}


def test_the_api_deal_filter_set_is_the_pages_without_their_sort():
    from deals.filtersets import DealApiFilterSet, DealFilterSet

    assert issubclass(DealApiFilterSet, DealFilterSet)
    assert set(DealApiFilterSet.base_filters) == set(DealFilterSet.base_filters) - {"sort"}  # the schema's list


def test_a_partner_cannot_filter_by_another_partner(world, catalog, client_for):
    f.DealFactory(partner=world.partner_b, lines=[(catalog["switch"], 1, "5")])
    response = client_for("admin_a").get("/api/v1/deals/", {"partner": world.partner_b.pk})
    assert response.status_code == 400  # not a choice for partner A: indistinguishable from a missing id


def test_inventory_and_claim_filters(world, catalog, client_for):
    old = f.InventoryReportFactory(partner=world.partner_a, product=catalog["switch"], date=date(2025, 1, 1))
    new = f.InventoryReportFactory(partner=world.partner_a, product=catalog["disk"], date=date(2025, 6, 1))
    client = client_for("admin_a")
    rows = client.get("/api/v1/inventory/", {"date_from": "2025-05-01"}).json()["results"]
    assert [r["id"] for r in rows] == [new.pk]
    rows = client.get("/api/v1/inventory/", {"sku": "sw-100"}).json()["results"]
    assert [r["id"] for r in rows] == [old.pk]
    claim = f.WarrantyClaimFactory(partner=world.partner_a, product=catalog["router"], failure_code=catalog["psu"])
    rows = client.get("/api/v1/claims/", {"status": "open", "q": claim.serial_number}).json()["results"]
    assert [r["id"] for r in rows] == [claim.pk]


@pytest.mark.parametrize(
    ("url", "viewset_path", "filterset_path", "bad"),
    [
        (
            "/api/v1/inventory/",
            "inventory.api.views.InventoryViewSet",
            "inventory.filtersets.InventoryFilterSet",
            {"date_from": "someday"},
        ),
        (
            "/api/v1/claims/",
            "warranty.api.views.ClaimViewSet",
            "warranty.filtersets.WarrantyClaimFilterSet",
            {"status": "nonsense"},
        ),
    ],
)
def test_inventory_and_claim_lists_use_the_pages_filter_sets_and_refuse_bad_values(
    world, client_for, url, viewset_path, filterset_path, bad
):
    from django.utils.module_loading import import_string

    assert import_string(viewset_path).filterset_class is import_string(filterset_path)
    response = client_for("admin_a").get(url, bad)
    assert response.status_code == 400 and set(error_of(response)["fields"]) == set(bad)
