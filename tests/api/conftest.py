"""API test helpers: clients authenticated by token (or session), and a small catalog."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.api.throttles import rate_limiter
from integrations.tokens import api_token_create
from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no rate-limit counter (and an empty cache), so none is throttled by accident."""
    cache.clear()
    rate_limiter().storage.reset()
    yield
    cache.clear()
    rate_limiter().storage.reset()


def token_client(user, *, read_only: bool = False) -> APIClient:
    client = APIClient()
    plaintext = api_token_create(user=user, name="tests", read_only=read_only).plaintext
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    client.token = plaintext
    return client


@pytest.fixture
def client_for(world) -> Callable[..., APIClient]:
    """`client_for("admin_a")` or `client_for(user, read_only=True)`: an APIClient using a fresh token."""

    def make(who, *, read_only: bool = False) -> APIClient:
        user = getattr(world, who) if isinstance(who, str) else who
        return token_client(user, read_only=read_only)

    return make


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def catalog(db):
    """Three products on two lines and a failure code."""
    network = f.ProductLineFactory(code="network", name="Network")
    storage = f.ProductLineFactory(code="storage", name="Storage")
    return {
        "switch": f.ProductFactory(sku="SW-100", product_line=network),
        "router": f.ProductFactory(sku="RT-200", product_line=network),
        "disk": f.ProductFactory(sku="DK-300", product_line=storage),
        "psu": f.FailureCodeFactory(code="PSU"),
    }


def error_of(response) -> dict:
    """The error object of a response, checking the one documented shape on the way."""
    body = response.json()
    assert set(body["error"]) >= {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


@pytest.fixture
def objects(world, catalog):
    """One object of each partner-scoped kind for partner A (emea) and for partner B (amer)."""
    made = {}
    for side, partner in (("a", world.partner_a), ("b", world.partner_b)):
        deal = f.DealFactory(partner=partner, lines=[(catalog["switch"], 2, "100.00")])
        made[side] = {
            "partners": partner,
            "deals": deal,
            "customers": deal.customer,
            "inventory": f.InventoryReportFactory(partner=partner, product=catalog["switch"]),
            "claims": f.WarrantyClaimFactory(partner=partner, product=catalog["router"], failure_code=catalog["psu"]),
            "certifications": f.CertificationFactory(partner=partner),
        }
    return made
