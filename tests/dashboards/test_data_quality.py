"""Data-quality pages and API: who reads which scores, what a partner is told to fix, lists, exports and
query counts."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from rest_framework.test import APIClient

from analytics.selectors import quality_to_fix
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = "/manage/data-quality/"
PORTAL = "/portal/data-quality/"
API = "/api/v1/analytics/data-quality/"


def quarter_months() -> list[date]:
    """The months of this quarter so far (the portal speaks of "this quarter")."""
    today = date.today()
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [first + relativedelta(months=i) for i in range(3) if first + relativedelta(months=i) <= today]


def late(day: str, due: str, lag: int, stream: str = "stock") -> dict:
    return {"stream": stream, "period_start": day, "period_end": day, "due": due, "received": day, "lag_days": lag}


@pytest.fixture
def two_sides():
    north, south = f.RegionFactory(code="north", name="North"), f.RegionFactory(code="south", name="South")
    distributor = f.PartnerFactory(name="Dist One", partner_type="distributor", region=north)
    mine = f.PartnerFactory(name="Mine Reseller", region=north, parent=distributor)
    other = f.PartnerFactory(name="Other Hidden", region=south)
    month = quarter_months()[0]
    findings = {
        "late": [late("2026-10-05", "2026-10-03", 2), late("2026-10-12", "2026-10-10", 2)],
        "missing": [],
        "inconsistent": [{"product_id": 1, "sku": "SKU-9", "sellout_units": 4, "stock_units": 9}],
    }
    mine_score = f.DataQualityScoreFactory(partner=mine, month=month, is_complete=True, findings=findings, score=61.0)
    other_score = f.DataQualityScoreFactory(
        partner=other,
        month=month,
        is_complete=True,
        findings={"late": [late("2026-10-06", "2026-10-03", 3)], "missing": [], "inconsistent": []},
        score=42.0,
    )
    return {
        "mine": mine,
        "other": other,
        "distributor": distributor,
        "north": north,
        "mine_score": mine_score,
        "other_score": other_score,
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_partner_reads_its_own_scores_and_what_to_fix_never_another_partners(two_sides):
    user = f.PartnerUserFactory(partner=two_sides["mine"])
    page = client_for(user).get(PORTAL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 stock reports late" in text and "2026-10-05 (due 2026-10-03, 2 days late)" in text
    assert "SKU-9" in text and "61.0" in text
    assert "Other Hidden" not in text and "2026-10-06" not in text
    rows = api_for(user).get(API).json()["results"]
    assert [r["partner"] for r in rows] == [two_sides["mine"].pk]
    assert api_for(user).get(f"{API}{two_sides['other_score'].pk}/").status_code == 404
    # Managers' pages are not theirs.
    assert client_for(user).get(LIST).status_code in (302, 403)


def test_a_distributor_does_not_read_its_resellers_scores(two_sides):
    user = f.PartnerAdminFactory(partner=two_sides["distributor"])
    assert api_for(user).get(API).json()["results"] == []
    assert api_for(user).get(f"{API}{two_sides['mine_score'].pk}/").status_code == 404
    assert "Mine Reseller" not in client_for(user).get(PORTAL).content.decode()


def test_a_regional_manager_lists_and_exports_only_their_regions_partners(two_sides):
    manager = f.ManagerFactory(regions=[two_sides["north"]])
    text = client_for(manager).get(LIST).content.decode()
    assert "Mine Reseller" in text and "Other Hidden" not in text
    export = client_for(manager).get(LIST, {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Mine Reseller"]
    assert rows[0][:5] == ["Partner", "Tier", "Region", "Month", "Score"]
    assert [r["partner"] for r in api_for(manager).get(API).json()["results"]] == [two_sides["mine"].pk]
    # The partner filter offers only partners the manager sees, and refuses another.
    assert client_for(manager).get(LIST, {"partner": two_sides["other"].pk, "export": "csv"}).status_code == 400


def test_the_list_shows_each_partners_latest_complete_month_unless_a_month_is_asked_for(two_sides):
    manager = f.ManagerFactory()
    mine = two_sides["mine"]
    earlier = two_sides["mine_score"].month - relativedelta(months=3)
    f.DataQualityScoreFactory(partner=mine, month=earlier, is_complete=True, score=12.5)
    f.DataQualityScoreFactory(
        partner=mine, month=two_sides["mine_score"].month + relativedelta(months=1), is_complete=False, score=99.0
    )
    client = client_for(manager)

    def rows(**query) -> list[tuple[str, str, str]]:
        body = b"".join(client.get(LIST, {**query, "export": "csv"}).streaming_content).decode("utf-8-sig")
        return [(r[0], r[3], r[4]) for r in list(csv.reader(io.StringIO(body)))[1:]]

    month = two_sides["mine_score"].month.strftime("%Y-%m")
    # Worst first by default.
    assert rows() == [("Other Hidden", month, "42"), ("Mine Reseller", month, "61")]
    assert rows(month=earlier.isoformat()) == [("Mine Reseller", earlier.strftime("%Y-%m"), "12.5")]
    assert rows(sort="-score") == [("Mine Reseller", month, "61"), ("Other Hidden", month, "42")]
    assert rows(score_max="50") == [("Other Hidden", month, "42")]
    assert len(rows(latest="false")) == 4 and rows(latest="unknown") == rows()
    assert client.get(LIST, {"score_min": "many", "export": "csv"}).status_code == 400


def test_the_partner_page_has_a_data_quality_section(two_sides):
    manager = f.ManagerFactory()
    text = client_for(manager).get(f"/manage/partners/{two_sides['mine'].pk}/").content.decode()
    assert 'id="data-quality-h"' in text and "2 stock reports late" in text


def test_pages_and_the_api_read_a_fixed_number_of_queries(two_sides, django_assert_max_num_queries):
    manager = f.ManagerFactory()
    user = f.PartnerUserFactory(partner=two_sides["mine"])
    client, api = client_for(manager), api_for(manager)
    portal = client_for(user)

    def counts() -> list[int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        out = []
        for load in (
            lambda: client.get(LIST),
            lambda: b"".join(client.get(LIST, {"export": "csv"}).streaming_content),
            lambda: api.get(API),
            lambda: portal.get(PORTAL),
        ):
            load()
            with CaptureQueriesContext(connection) as captured:
                load()
            out.append(len(captured))
        return out

    before = counts()
    month = two_sides["mine_score"].month
    for n in range(12):
        partner = f.PartnerFactory(name=f"More {n}", region=two_sides["north"])
        for back in range(3):
            f.DataQualityScoreFactory(partner=partner, month=month - relativedelta(months=back), is_complete=True)
        f.DataQualityScoreFactory(
            partner=two_sides["mine"], month=month - relativedelta(months=4 + n), is_complete=True
        )
    assert counts() == before


def test_to_fix_adds_up_the_findings_of_the_period():
    p = f.PartnerFactory()
    months = [date(2026, 10, 1), date(2026, 11, 1)]
    scores = [
        f.DataQualityScoreFactory.build(
            partner=p,
            month=months[0],
            findings={"late": [late("2026-10-05", "2026-10-03", 2), late("2026-10-20", "2026-10-10", 10, "sellout")]},
            field_slots=10,
            fields_filled=7,
            corrections=2,
        ),
        f.DataQualityScoreFactory.build(
            partner=p,
            month=months[1],
            findings={"late": [late("2026-11-02", "2026-11-01", 1)], "missing": [late("2026-11-09", "2026-11-12", 0)]},
            field_slots=0,
            fields_filled=0,
            corrections=0,
        ),
        # Before the quarter: not counted.
        f.DataQualityScoreFactory.build(
            partner=p, month=date(2026, 9, 1), findings={"late": [late("2026-09-01", "2026-08-30", 2)]}, corrections=5
        ),
    ]
    items = {i.kind: i for i in quality_to_fix(scores=scores, since=date(2026, 10, 1))}
    assert items["late_stock"].text == "2 stock reports late this quarter"
    assert items["late_stock"].details == [
        "2026-10-05 (due 2026-10-03, 2 days late)",
        "2026-11-02 (due 2026-11-01, 1 day late)",
    ]
    assert items["late_sellout"].text == "1 sell-out report late this quarter"
    assert items["missing_stock"].count == 1
    assert items["fields"].count == 3 and "of 10" in items["fields"].text
    assert items["corrections"].text == "2 sell-out corrections this quarter"
    assert "duplicate_claims" not in items
    balance = quality_to_fix(
        scores=[
            f.DataQualityScoreFactory.build(
                partner=p,
                month=months[0],
                findings={"balance": [{"product_id": 1, "sku": "EDI-1", "period_end": "2026-10-25", "difference": -1}]},
            )
        ],
        since=date(2026, 10, 1),
    )
    assert [(i.text, i.details) for i in balance if i.kind == "balance"] == [
        ("1 852 stock balance that does not add up this quarter", ["EDI-1 period ending 2026-10-25: off by -1 units"])
    ]
