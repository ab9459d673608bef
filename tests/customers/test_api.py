"""End customers over the API: a partner sees the customers of its own deals and claims, never another's."""

from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.fixture
def customers(world):
    """One customer per way of being known: A's deal, A's claim, B's deal, the reseller's deal and claim."""
    made = {
        "a_deal": f.DealFactory(partner=world.partner_a, customer=f.CustomerFactory(name="Alpha Deal Co")).customer,
        "a_claim": f.WarrantyClaimFactory(
            partner=world.partner_a, customer=f.CustomerFactory(name="Alpha Claim Co")
        ).customer,
        "b_deal": f.DealFactory(partner=world.partner_b, customer=f.CustomerFactory(name="Bravo Deal Co")).customer,
        "r_deal": f.DealFactory(
            partner=world.reseller_of_distributor, customer=f.CustomerFactory(name="Reseller Deal Co")
        ).customer,
        "r_claim": f.WarrantyClaimFactory(
            partner=world.reseller_of_distributor, customer=f.CustomerFactory(name="Reseller Claim Co")
        ).customer,
    }
    f.CustomerFactory(name="Nobody's Co")  # in no deal and no claim
    return made


def test_each_role_sees_the_customers_of_the_rows_it_may_see(world, customers, client_for):
    assert names(client_for("admin_a").get("/api/v1/customers/")) == {"Alpha Deal Co", "Alpha Claim Co"}
    assert names(client_for("regional_manager").get("/api/v1/customers/")) == {"Bravo Deal Co"}
    # A distributor reads its reseller's deals, so their customers; not its reseller's claims.
    assert names(client_for("distributor_admin").get("/api/v1/customers/")) == {"Reseller Deal Co"}
    everyone = names(client_for("manager").get("/api/v1/customers/", {"page_size": 100}))
    assert everyone >= {c.name for c in customers.values()} | {"Nobody's Co"}


def test_another_partners_customer_answers_404(world, customers, client_for):
    client = client_for("admin_b")
    assert client.get(f"/api/v1/customers/{customers['a_deal'].pk}/").status_code == 404
    assert client.get(f"/api/v1/customers/{customers['b_deal'].pk}/").status_code == 200


def test_a_customer_with_many_deals_and_claims_is_listed_once(world, client_for):
    shared = f.CustomerFactory(name="Busy Buyer")
    for _ in range(3):
        f.DealFactory(partner=world.partner_a, customer=shared)
        f.WarrantyClaimFactory(partner=world.partner_a, customer=shared)
    rows = client_for("admin_a").get("/api/v1/customers/", {"q": "busy"}).json()["results"]
    assert [r["name"] for r in rows] == ["Busy Buyer"]


def test_customers_are_read_only_over_the_api(world, customers, client_for):
    client = client_for("manager")
    assert client.post("/api/v1/customers/", {"name": "New"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/customers/{customers['a_deal'].pk}/").status_code == 405
