"""API URL names live in one namespace per app (`deals-api:deal-list`); the paths are unchanged."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse


@pytest.mark.parametrize(
    ("name", "args", "path"),
    [
        ("deals-api:deal-list", [], "/api/v1/deals/"),
        ("deals-api:deal-detail", [5], "/api/v1/deals/5/"),
        ("deals-api:deal-approve", [5], "/api/v1/deals/5/approve/"),
        ("deals-api:deal-request-extension", [5], "/api/v1/deals/5/request-extension/"),
        ("deals-api:deal-bulk", [], "/api/v1/deals/bulk/"),
        ("warranty-api:claim-pay", [6], "/api/v1/claims/6/pay/"),
        ("warranty-api:failure-code-list", [], "/api/v1/failure-codes/"),
        ("partners-api:certification-detail", [7], "/api/v1/certifications/7/"),
        ("catalog-api:product-line-list", [], "/api/v1/product-lines/"),
        ("customers-api:customer-list", [], "/api/v1/customers/"),
        ("inventory-api:inventory-bulk", [], "/api/v1/inventory/bulk/"),
        ("notifications-api:notification-read-all", [], "/api/v1/notifications/read-all/"),
        ("analytics-api:kpi-snapshot-benchmarks", [], "/api/v1/analytics/kpis/benchmarks/"),
        ("analytics-api:analytics-job-list", [], "/api/v1/analytics/jobs/"),
        ("integrations-api:webhook-rotate-secret", [3], "/api/v1/webhooks/3/rotate-secret/"),
        ("integrations-api:token-detail", [2], "/api/v1/tokens/2/"),
        ("support-api:ticket-wait-on-partner", [4], "/api/v1/tickets/4/wait-on-partner/"),
        ("support-api:ticket-comments", [4], "/api/v1/tickets/4/comments/"),
    ],
)
def test_api_names_reverse_to_the_documented_paths(name, args, path):
    assert reverse(name, args=args) == path


def test_api_names_are_not_global():
    with pytest.raises(NoReverseMatch):
        reverse("deal-list")


def test_the_api_root_links_every_collection(world, client_for):
    links = client_for("admin_a").get("/api/v1/").json()
    assert list(links) == [
        "partner",
        "region",
        "tier",
        "certification",
        "product",
        "product-line",
        "customer",
        "deal",
        "inventory",
        "sellout",
        "claim",
        "failure-code",
        "activation",
        "usage",
        "ticket",
        "ticket-category",
        "sla-policy",
        "notification",
        "token",
        "webhook",
        "webhook-delivery",
        "rate",
        "edi-import",
    ]
    assert links["deal"] == "http://testserver/api/v1/deals/"
