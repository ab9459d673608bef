"""Partners and their reference data over the API: read-only, partner rows through the visibility rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.fixtures.api import error_of

pytestmark = pytest.mark.django_db


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_role_lists_the_partners_it_may_see(world, client_for):
    everyone = {
        world.partner_a.pk,
        world.partner_b.pk,
        world.distributor.pk,
        world.reseller_of_distributor.pk,
    }
    assert ids(client_for("manager").get("/api/v1/partners/")) == everyone
    assert ids(client_for("regional_manager").get("/api/v1/partners/")) == {world.partner_b.pk}
    assert ids(client_for("admin_a").get("/api/v1/partners/")) == {world.partner_a.pk}
    # A distributor reads the resellers it supplies (DESIGN §1: two-tier, read-only).
    distributor = client_for("distributor_admin").get("/api/v1/partners/")
    assert ids(distributor) == {world.distributor.pk, world.reseller_of_distributor.pk}


def test_the_distributor_filter_takes_only_distributors_the_user_may_see(world, client_for):
    regional = client_for("regional_manager")  # the Americas; the distributor is in EMEA
    refused = regional.get("/api/v1/partners/", {"parent": world.distributor.pk})
    assert refused.status_code == 400 and "parent" in error_of(refused)["fields"]
    manager = client_for("manager")
    assert ids(manager.get("/api/v1/partners/", {"parent": world.distributor.pk})) == {world.reseller_of_distributor.pk}


def test_regions_and_tiers_are_reference_data_every_signed_in_user_reads(world, client_for, anon):
    tier = f.TierFactory(name="Platinum")
    for who in ("admin_b", "regional_manager"):
        client = client_for(who)
        assert {r["code"] for r in client.get("/api/v1/regions/").json()["results"]} >= {"emea", "amer"}
        assert tier.pk in ids(client.get("/api/v1/tiers/"))
    assert anon.get("/api/v1/regions/").status_code == 401


def test_partners_and_reference_data_are_read_only(world, client_for):
    client = client_for("manager")
    for url in ("/api/v1/partners/", "/api/v1/regions/", "/api/v1/tiers/", "/api/v1/certifications/"):
        assert client.post(url, {}, format="json").status_code == 405, url
    assert client.delete(f"/api/v1/partners/{world.partner_a.pk}/").status_code == 405


def test_certifications_filter_by_validity_and_follow_the_partner_rule(world, client_for):
    today = date.today()
    valid = f.CertificationFactory(partner=world.partner_a, earned_on=today - timedelta(days=10))
    expired = f.CertificationFactory(
        partner=world.partner_a, earned_on=today - timedelta(days=400), expires_on=today - timedelta(days=35)
    )
    other = f.CertificationFactory(partner=world.partner_b)
    own = client_for("admin_a")
    assert ids(own.get("/api/v1/certifications/")) == {valid.pk, expired.pk}
    assert ids(own.get("/api/v1/certifications/", {"valid_on": today.isoformat()})) == {valid.pk}
    assert ids(own.get("/api/v1/certifications/", {"expires_before": today.isoformat()})) == {expired.pk}
    assert own.get(f"/api/v1/certifications/{other.pk}/").status_code == 404
    # The partner filter offers, and accepts, only partners the user may see.
    assert own.get("/api/v1/certifications/", {"partner": world.partner_b.pk}).status_code == 400
