"""The analytics API: who sees which figures, benchmarks without names, jobs, filters and query counts."""

from __future__ import annotations

import pytest
from django.db.models import Count
from rest_framework.test import APIClient

from analytics import definitions
from analytics.models import JobRun, KpiSnapshot, PartnerHealthScore
from tests import factories as f
from tests.analytics.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("analytics_ecosystem")]

KPIS = "/api/v1/analytics/kpis/"


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def all_pages(client: APIClient, url: str, **params) -> list[dict]:
    response = client.get(url, {"page_size": 1000, **params})
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        rows += response.json()["results"]
    return rows


def test_a_partner_sees_its_own_rows_and_the_ecosystem_only(computed):
    aurora = computed.partners[0]
    client = client_as(f.PartnerUserFactory(partner=aurora))
    rows = all_pages(client, KPIS)
    assert {(r["dimension"], r["partner"]) for r in rows} == {("partner", aurora.pk)}
    other = KpiSnapshot.objects.filter(partner=computed.partners[1]).first()
    tier_row = KpiSnapshot.objects.filter(dimension="tier").first()
    assert client.get(f"{KPIS}{other.pk}/").status_code == 404
    assert client.get(f"{KPIS}{tier_row.pk}/").status_code == 404
    own = KpiSnapshot.objects.filter(partner=aurora, granularity="quarter").first()
    body = client.get(f"{KPIS}{own.pk}/").json()
    assert body["won_revenue"] == str(own.won_revenue) and body["approval_rate"] == own.approval_rate


def test_managers_see_breakdowns_and_regional_managers_their_partners(computed):
    manager = client_as(f.ManagerFactory())
    tiers = all_pages(manager, KPIS, dimension="tier", granularity="month")
    assert {r["key"] for r in tiers} == {str(computed.gold.pk), str(computed.silver.pk)}
    regional = client_as(f.ManagerFactory(regions=[computed.amer]))
    partners = {r["partner"] for r in all_pages(regional, KPIS, dimension="partner", granularity="year")}
    assert partners == {p.pk for p in (computed.partners[1], computed.partners[3], computed.decisions_only)}


def test_a_distributor_reads_its_resellers_figures(computed, run_recompute):
    distributor = computed.partners[1]
    reseller = f.PartnerFactory(name="Sub", parent=distributor, tier=computed.silver, region=computed.amer)
    run_recompute()
    client = client_as(f.PartnerAdminFactory(partner=distributor))
    partners = {r["partner"] for r in all_pages(client, KPIS, dimension="partner", granularity="year")}
    assert partners == {distributor.pk, reseller.pk}


def test_filters_validate_their_input(computed):
    client = client_as(f.ManagerFactory())
    quarters = all_pages(client, KPIS, dimension="ecosystem", granularity="quarter", since="2025-01-01")
    assert [r["period_start"] for r in quarters] == ["2025-01-01", "2025-04-01", "2025-07-01"]
    assert client.get(KPIS, {"dimension": "galaxy"}).status_code == 400
    assert client.get(KPIS, {"since": "last tuesday"}).status_code == 400


def test_health_scores_come_with_their_explanations(computed):
    aurora = computed.partners[0]
    client = client_as(f.PartnerAdminFactory(partner=aurora))
    rows = all_pages(client, "/api/v1/analytics/health-scores/", is_current="true")
    assert len(rows) == 1 and rows[0]["partner"] == aurora.pk
    components = rows[0]["components"]
    assert [c["name"] for c in components] == [
        "revenue",
        "growth",
        "pipeline",
        "engagement",
        "deal_quality",
        "operations",
    ]  # data quality is optional: listed only once it has a weight
    stored = PartnerHealthScore.objects.get(partner=aurora, is_current=True)
    revenue = components[0]
    assert revenue["percentile"] == stored.revenue_pct and revenue["explanation"].startswith("revenue: ")
    assert rows[0]["peer_group"] == "Gold" and rows[0]["score"] == stored.score
    history = all_pages(client, "/api/v1/analytics/health-scores/", is_current="false")
    assert len(history) == 15
    other = PartnerHealthScore.objects.filter(partner=computed.partners[1]).first()
    assert client.get(f"/api/v1/analytics/health-scores/{other.pk}/").status_code == 404
    eco = all_pages(client_as(f.ManagerFactory()), "/api/v1/analytics/ecosystem-health/", is_current="true")
    assert len(eco) == 1 and eco[0]["partners_scored"] == 7


def test_benchmarks_give_tier_quartiles_without_names(computed, monkeypatch):
    monkeypatch.setattr(definitions, "MIN_PEER_GROUP", 3)
    aurora = computed.partners[0]
    client = client_as(f.PartnerUserFactory(partner=aurora))
    url = f"{KPIS}benchmarks/"
    body = client.get(url, {"partner": aurora.pk, "period_start": "2025-03-01"}).json()
    deals = next(b for b in body if b["kpi"] == "deals_registered")
    gold = KpiSnapshot.objects.filter(
        partner__tier=computed.gold, partner__status="active", period_start="2025-03-01", granularity="month"
    ).values_list("deals_registered", flat=True)
    assert deals["count"] == len(gold) == 4 and deals["p25"] <= deals["median"] <= deals["p75"]
    assert set(deals) == {"kpi", "count", "p25", "median", "p75"}
    assert client.get(url, {"partner": computed.partners[1].pk, "period_start": "2025-03-01"}).status_code == 404
    assert client.get(url, {"partner": aurora.pk, "period_start": "soon"}).status_code == 400
    monkeypatch.setattr(definitions, "MIN_PEER_GROUP", 5)
    assert client.get(url, {"partner": aurora.pk, "period_start": "2025-03-01"}).json() == []


def test_jobs_are_for_managers_and_post_starts_a_recompute(computed, django_capture_on_commit_callbacks, settings):
    settings.PRM_ANALYTICS_HISTORY_MONTHS = 2
    partner_client = client_as(f.PartnerAdminFactory(partner=computed.partners[0]))
    assert all_pages(partner_client, "/api/v1/analytics/jobs/") == []
    assert partner_client.post("/api/v1/analytics/jobs/", {}).status_code == 403
    manager = client_as(f.ManagerFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post("/api/v1/analytics/jobs/", {"kind": "current_period"})
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job = manager.get(f"/api/v1/analytics/jobs/{response.json()['id']}/").json()
    assert (job["kind"], job["status"], job["progress_percent"]) == ("current_period", "succeeded", 100)
    assert manager.post("/api/v1/analytics/jobs/", {"kind": "everything"}).status_code == 400
    assert JobRun.objects.filter(kind="current_period").count() == 1


def test_lists_keep_a_constant_query_count(computed, django_assert_max_num_queries):
    client = client_as(f.ManagerFactory())
    with django_assert_max_num_queries(4):
        assert len(client.get(KPIS, {"page_size": 300}).json()["results"]) == 300
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/analytics/health-scores/", {"page_size": 100}).json()["results"]) == 100


CLAIM_COLUMNS = (
    "claims_submitted",
    "claims_approved",
    "claims_rejected",
    "claim_approval_rate",
    "claim_resolution_days_total",
    "claim_resolution_days",
    "claims_per_1000_units",
)


@pytest.mark.parametrize("dimension", ["ecosystem", "tier", "partner_type", "product_line"])
def test_a_regional_manager_gets_no_channel_wide_group_rows(computed, dimension):
    """Stored group rows add up every region: refused with a clear 403, never served to a regional manager."""
    client = client_as(f.ManagerFactory(regions=[computed.amer]))
    response = client.get(KPIS, {"dimension": dimension})
    assert response.status_code == 403, response.content
    assert "every region" in response.json()["error"]["message"]
    listed = all_pages(client, KPIS, granularity="month")
    assert {r["dimension"] for r in listed} == {"partner", "region"}
    row = KpiSnapshot.objects.filter(dimension=dimension).first()
    assert client.get(f"{KPIS}{row.pk}/").status_code == 404


def test_a_regional_manager_reads_the_rows_of_their_regions_only(computed):
    client = client_as(f.ManagerFactory(regions=[computed.amer]))
    regions = all_pages(client, KPIS, dimension="region", granularity="year")
    assert {r["key"] for r in regions} == {str(computed.amer.pk)}
    stored = KpiSnapshot.objects.get(
        dimension="region", key=str(computed.amer.pk), granularity="year", period_start="2025-01-01"
    )
    americas = [p for p in [*computed.partners, computed.decisions_only] if p.region_id == computed.amer.pk]
    assert stored.member_count == len(americas)
    assert client.get("/api/v1/analytics/ecosystem-health/").status_code == 403
    # A manager with no region limit still reads every breakdown.
    everywhere = client_as(f.ManagerFactory())
    assert {r["key"] for r in all_pages(everywhere, KPIS, dimension="region", granularity="year")} == {
        str(computed.emea.pk),
        str(computed.amer.pk),
    }
    assert all_pages(everywhere, "/api/v1/analytics/ecosystem-health/", is_current="true")


def test_a_distributor_reads_its_resellers_deal_and_stock_figures_but_no_claims_or_health(computed, run_recompute):
    distributor = computed.partners[1]
    reseller = f.PartnerFactory(name="Sub", parent=distributor, tier=computed.silver, region=computed.amer)
    f.WarrantyClaimFactory(partner=reseller, submitted_at=NOW)
    f.InventoryReportFactory(partner=reseller, date=NOW.date(), on_hand=7, units_sold=3)
    run_recompute()
    client = client_as(f.PartnerAdminFactory(partner=distributor))
    theirs = all_pages(client, KPIS, partner=reseller.pk, granularity="year")
    assert theirs, "the reseller's deal and stock figures are readable"
    assert theirs[-1]["units_sold"] == KpiSnapshot.objects.get(pk=theirs[-1]["id"]).units_sold == 3
    for row in theirs:
        assert all(row[c] is None for c in (*CLAIM_COLUMNS, "active_certifications")), row
        assert client.get(f"{KPIS}{row['id']}/").json()["claims_submitted"] is None
    own = all_pages(client, KPIS, partner=distributor.pk, granularity="year")
    assert own[-1]["claims_submitted"] == KpiSnapshot.objects.get(pk=own[-1]["id"]).claims_submitted
    assert all_pages(client, "/api/v1/analytics/health-scores/", partner=reseller.pk) == []
    score = PartnerHealthScore.objects.filter(partner=reseller).first()
    assert client.get(f"/api/v1/analytics/health-scores/{score.pk}/").status_code == 404
    # Raw reads skip the blanking of model instances: only columns a distributor may see can be read that way.
    rows = KpiSnapshot.objects.visible_to(f.PartnerUserFactory(partner=distributor)).filter(partner=reseller)
    assert set(rows.values_list("partner_id", flat=True)) == {reseller.pk}
    assert rows.values("units_sold").exists()
    for raw in (
        lambda: rows.values_list("claims_submitted", flat=True),
        lambda: rows.values("claims_per_1000_units"),
        lambda: rows.values(),
        lambda: rows.aggregate(n=Count("pk")),
    ):
        with pytest.raises(TypeError, match="distributor may not see"):
            raw()


def test_a_partner_sees_no_channel_wide_figures_unless_the_setting_opts_in(computed, settings):
    aurora = computed.partners[0]
    client = client_as(f.PartnerUserFactory(partner=aurora))
    assert {r["dimension"] for r in all_pages(client, KPIS)} == {"partner"}
    refused = client.get(KPIS, {"dimension": "ecosystem"})
    assert refused.status_code == 403 and "channel" in refused.json()["error"]["message"]
    assert client.get("/api/v1/analytics/ecosystem-health/").status_code == 403
    eco_row = KpiSnapshot.objects.filter(dimension="ecosystem").first()
    assert client.get(f"{KPIS}{eco_row.pk}/").status_code == 404
    settings.PRM_PARTNERS_SEE_ECOSYSTEM = True
    assert {r["dimension"] for r in all_pages(client, KPIS)} == {"partner", "ecosystem"}
    assert all_pages(client, "/api/v1/analytics/ecosystem-health/", is_current="true")
    assert client.get(KPIS, {"dimension": "tier"}).status_code == 403
