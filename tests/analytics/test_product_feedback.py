"""Product feedback: the Poisson tail, the units rule, the claim warning on constructed data, and the stored
table against an independent computation over the raw rows (channel and regions), with its alerts."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal, getcontext

import pandas as pd
import pytest

from analytics import feedback
from analytics.feedback_store import product_feedback_refresh
from analytics.models import FeedbackKind, ProductFeedbackCount, ProductFeedbackMonth
from analytics.periods import Window
from deals.models import DealLine, DealRegistration, DealStatus
from inventory.models import InventoryReport
from notifications.models import Notification
from sellout.models import SellOutLine
from tests import factories as f
from tests.analytics.feedback_data import build_feedback_data
from warranty.models import WarrantyClaim

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


# --- the Poisson tail, against exact decimal sums -----------------------------------------------------


def exact_sf(k: int, lam: str) -> float:
    """P(X ≥ k) = 1 − Σ_{i<k} e^−λ λ^i / i!, in 60-digit decimals (an independent computation)."""
    getcontext().prec = 60
    lam_d = Decimal(lam)
    term, total = (-lam_d).exp(), Decimal(0)
    for i in range(k):
        total += term
        term = term * lam_d / (i + 1)
    return float(1 - total)


@pytest.mark.parametrize(
    ("k", "lam"),
    [(0, "3"), (1, "0.5"), (3, "3"), (8, "5"), (12, "5"), (25, "5"), (2, "40"), (60, "40"), (1000, "900")],
)
def test_poisson_tail_matches_the_exact_sum(k, lam):
    expected = exact_sf(k, lam)
    assert feedback.poisson_sf(k, float(lam)) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_poisson_tail_edges():
    assert feedback.poisson_sf(0, 0.0) == 1.0
    assert feedback.poisson_sf(1, 0.0) == 0.0
    assert feedback.poisson_sf(5000, 1.0) == 0.0  # far beyond double precision: 0, not an error


# --- the units rule ------------------------------------------------------------------------------------


def test_units_come_from_sellout_when_reported_else_from_stock():
    may = date(2026, 5, 1)
    units = pd.DataFrame(
        [
            # partner 1 reported sell-out: its stock figure is ignored
            {"partner_id": 1, "region_id": 10, "product_id": 7, "month": may, "sellout_units": 8, "sellout_lines": 3,
             "inventory_units": 50},
            # partner 2 reported stock only
            {"partner_id": 2, "region_id": 10, "product_id": 7, "month": may, "sellout_units": None,
             "sellout_lines": None, "inventory_units": 30},
            # partner 3 reported only transfers (lines, 0 units): its stock is not used either
            {"partner_id": 3, "region_id": 20, "product_id": 7, "month": may, "sellout_units": 0, "sellout_lines": 1,
             "inventory_units": 20},
        ]
    )  # fmt: skip
    out = feedback.units_sold(units).set_index("region_id")
    assert out.loc[10, ["units_sold", "units_from_sellout", "units_from_inventory"]].tolist() == [38, 8, 30]
    assert out.loc[20, ["units_sold", "units_from_sellout", "units_from_inventory"]].tolist() == [0, 0, 0]


# --- the warning on constructed data -------------------------------------------------------------------


def _months(count: int) -> list[date]:
    return [date(2025 + (i // 12), i % 12 + 1, 1) for i in range(count)]


def _constructed(spike_claims: int, spike_units: int = 1000) -> pd.DataFrame:
    """Line 1: products 1, 2, 3 sell 1000 units and get 5 claims a month for 12 months (rate 0.005); in month 13
    product 1 gets `spike_claims`, product 2 gets 8 (normal variation), product 3 sells 100 and gets 3 (too
    little volume to test). Line 2: product 4 alone (no baseline)."""
    months = _months(13)
    rows = []
    for m in months[:12]:
        for product in (1, 2, 3):
            rows.append((product, 1, m, 1000, 5))
        rows.append((4, 2, m, 1000, 5))
    last = months[12]
    rows += [
        (1, 1, last, spike_units, spike_claims),
        (2, 1, last, 1000, 8),
        (3, 1, last, 100, 3),
        (4, 2, last, 1000, 30),
    ]
    frame = pd.DataFrame(rows, columns=["product_id", "product_line_id", "month", "units_sold", "claims_submitted"])
    extra = {"deals_lost": 0, "units_from_sellout": frame["units_sold"], "units_from_inventory": 0}
    return frame.assign(scope=feedback.CHANNEL, **extra)


def _last_month(result: pd.DataFrame) -> pd.DataFrame:
    return result[result["month"] == _months(13)[12]].set_index("product_id")


def test_a_spike_is_flagged_and_normal_variation_is_not():
    result = _last_month(feedback.claim_warnings(_constructed(20), _months(13), alpha=0.01, min_expected=2.0))
    spike, normal, small, alone = (result.loc[p] for p in (1, 2, 3, 4))
    # The baseline of product 1 is products 2 and 3 only: 120 claims / 24,000 units.
    assert spike["line_claim_rate"] == pytest.approx(120 / 24_000)
    assert spike["expected_claims"] == pytest.approx(5.0)
    assert spike["claim_p_value"] == pytest.approx(exact_sf(20, "5"), rel=1e-9)
    assert bool(spike["claim_flag"]) is True
    assert normal["claim_p_value"] == pytest.approx(exact_sf(8, "5"), rel=1e-9) and not normal["claim_flag"]
    # 3 claims on 100 units would be unlikely (p ≈ 0.014 at 0.5 expected), but 0.5 expected is below the minimum.
    assert small["expected_claims"] == pytest.approx(0.5) and not small["claim_flag"]
    assert pd.isna(alone["line_claim_rate"]) and pd.isna(alone["expected_claims"]) and not alone["claim_flag"]


def test_the_threshold_and_the_minimum_are_settings():
    data = _constructed(12)  # P(X ≥ 12 | 5) ≈ 0.0055
    strict = _last_month(feedback.claim_warnings(data, _months(13), alpha=0.001, min_expected=2.0))
    loose = _last_month(feedback.claim_warnings(data, _months(13), alpha=0.01, min_expected=2.0))
    picky = _last_month(feedback.claim_warnings(data, _months(13), alpha=0.01, min_expected=6.0))
    assert not strict.loc[1, "claim_flag"] and loose.loc[1, "claim_flag"] and not picky.loc[1, "claim_flag"]


def test_the_baseline_is_the_twelve_months_before_only():
    # Month 1 has no history at all: no rate, no test.
    result = feedback.claim_warnings(_constructed(20), _months(13), alpha=0.01, min_expected=2.0)
    first = result[result["month"] == _months(13)[0]]
    assert first["line_claim_rate"].isna().all() and not first["claim_flag"].any()


# --- the stored table against the raw rows --------------------------------------------------------------


@pytest.fixture
def raw(world):
    return build_feedback_data(world)


def _month(day) -> date:
    return date(day.year, day.month, 1)


def oracle(first: date) -> dict:
    """Every (product, region or None, month) from `first`: (units, from sell-out, from stock, claims, lost),
    computed from the raw rows one by one with the documented rules."""
    sellout = defaultdict(lambda: [0, 0])  # (partner, product, month) → [signed units to end customers, lines]
    for line in SellOutLine.objects.select_related("reporter"):
        key = (line.reporter_id, line.product_id, _month(line.date))
        sellout[key][1] += 1
        if line.sold_to_partner_id is None:
            sellout[key][0] += SellOutLine.SIGN[line.transaction_type] * line.quantity
    stock = defaultdict(int)
    for report in InventoryReport.objects.all():
        stock[(report.partner_id, report.product_id, _month(report.date))] += report.units_sold
    regions = dict(f.PartnerFactory._meta.model.objects.values_list("pk", "region_id"))
    out = defaultdict(lambda: [0, 0, 0, 0, 0])

    def add(product, region, month, index, value):
        if month >= first:
            for scope in (None, region):
                out[(product, scope, month)][index] += value

    for key in set(sellout) | set(stock):
        partner, product, month = key
        if sellout[key][1] > 0:
            add(product, regions[partner], month, 0, sellout[key][0])
            add(product, regions[partner], month, 1, sellout[key][0])
        else:
            add(product, regions[partner], month, 0, stock[key])
            add(product, regions[partner], month, 2, stock[key])
    for claim in WarrantyClaim.objects.select_related("partner"):
        add(claim.product_id, claim.partner.region_id, _month(claim.submitted_at.astimezone(UTC)), 3, 1)
    for deal in DealRegistration.objects.filter(status=DealStatus.LOST).select_related("partner"):
        for product in {line.product_id for line in DealLine.objects.filter(deal=deal)}:
            add(product, deal.partner.region_id, _month(deal.closed_at.astimezone(UTC)), 4, 1)
    return {key: tuple(values) for key, values in out.items() if any(values)}


def stored() -> dict:
    return {
        (row.product_id, row.region_id, row.month): (
            row.units_sold,
            row.units_from_sellout,
            row.units_from_inventory,
            row.claims_submitted,
            row.deals_lost,
        )
        for row in ProductFeedbackMonth.objects.all()
    }


def test_the_stored_table_matches_the_raw_rows(raw, world):
    window = Window.full(NOW, 2)
    result = product_feedback_refresh(window=window)
    expected = oracle(window.months.starts[0])
    assert stored() == expected
    assert result["months"] == len(expected)
    a, emea = raw["a"], world.emea.pk
    # The rule made visible: EMEA's A in May is 8 from sell-out (its stock report of 50 ignored).
    assert expected[(a.pk, emea, date(2026, 5, 1))] == (8, 8, 0, 2, 1)
    assert expected[(a.pk, None, date(2026, 5, 1))] == (1008, 8, 1000, 2, 1)
    assert expected[(raw["b"].pk, emea, date(2026, 5, 1))] == (0, 0, 0, 0, 1)


def test_counts_by_failure_code_and_loss_reason(raw, world):
    product_feedback_refresh(window=Window.full(NOW, 2))
    a = raw["a"]
    rows = ProductFeedbackCount.objects.filter(product=a)
    counts = {(r.region_id, r.month, r.kind, r.code): r.count for r in rows}
    june, may = date(2026, 6, 1), date(2026, 5, 1)
    assert counts[(None, june, FeedbackKind.FAILURE_CODE, "FAN")] == 4
    assert counts[(None, june, FeedbackKind.FAILURE_CODE, "PSU")] == 8
    assert counts[(world.amer.pk, june, FeedbackKind.FAILURE_CODE, "PSU")] == 8
    assert counts[(None, may, FeedbackKind.LOSS_REASON, "price")] == 1
    assert counts[(None, june, FeedbackKind.LOSS_REASON, "")] == 1  # one deal, two lines of A: counted once
    # Every count adds up to the month table's figure.
    for row in ProductFeedbackMonth.objects.filter(product=a):
        claims = sum(n for (r, m, k, _), n in counts.items() if (r, m, k) == (row.region_id, row.month, "failure_code"))
        lost = sum(n for (r, m, k, _), n in counts.items() if (r, m, k) == (row.region_id, row.month, "loss_reason"))
        assert (claims, lost) == (row.claims_submitted, row.deals_lost)


def test_the_spike_is_flagged_in_its_region_and_the_channel_and_managers_are_told(raw, world):
    window = Window.full(NOW, 2)
    product_feedback_refresh(window=window)
    a, june = raw["a"], date(2026, 6, 1)
    amer = ProductFeedbackMonth.objects.get(product=a, region=world.amer, month=june)
    # The Americas' baseline over June 2025 – May 2026: B and C sold 500 a month each there in June – December
    # 2025 (7,000 units) with one claim each a month (14 claims) → 0.002 per unit; A itself is left out.
    assert amer.line_claim_rate == pytest.approx(14 / 7_000)
    assert amer.expected_claims == pytest.approx(3.0)
    assert amer.claim_p_value == pytest.approx(exact_sf(12, "3"), abs=1e-9)  # stored to 9 decimal places
    assert amer.claim_flag
    channel = ProductFeedbackMonth.objects.get(product=a, region=None, month=june)
    assert channel.line_claim_rate == pytest.approx(28 / 14_000)
    assert channel.claim_flag and channel.expected_claims == pytest.approx(3.0)
    may = ProductFeedbackMonth.objects.get(product=a, region=None, month=date(2026, 5, 1))
    assert not may.claim_flag  # 2 claims on 1,008 units against ≈ 2 expected
    told = Notification.objects.filter(verb="product.claim_warning")
    assert set(told.values_list("recipient__username", flat=True)) == {"manager", "amer_manager"}
    assert "NW-A" in told.first().title
    # The next run finds the same warnings: nobody is told twice.
    product_feedback_refresh(window=window)
    assert Notification.objects.filter(verb="product.claim_warning").count() == told.count() == 2


def test_a_refresh_replaces_only_its_months(raw):
    product_feedback_refresh(window=Window.full(NOW, 2))
    before = ProductFeedbackMonth.objects.filter(month__lt=date(2026, 6, 1)).count()
    assert before
    product_feedback_refresh(window=Window.full(NOW, 0), alert=False)  # the month in progress only
    assert ProductFeedbackMonth.objects.filter(month__lt=date(2026, 6, 1)).count() == before
    assert stored() == oracle(date(2026, 4, 1))


# --- the API ---------------------------------------------------------------------------------------------


def test_api_rows_follow_the_managers_scope_and_partners_read_none(raw, world, client_for):
    product_feedback_refresh(window=Window.full(NOW, 2))
    a = raw["a"]
    url = "/api/v1/analytics/product-feedback/"
    channel = client_for("manager").get(url, {"product": a.pk, "page_size": 100}).json()["results"]
    assert {row["region"] for row in channel} == {None}
    assert {row["month"]: row["claims_submitted"] for row in channel} == {"2026-05-01": 2, "2026-06-01": 12}
    june = next(row for row in channel if row["month"] == "2026-06-01")
    assert june["claim_flag"] is True and june["sku"] == "NW-A" and june["claims_per_1000"] == pytest.approx(8.0)
    regional = client_for("regional_manager").get(url, {"product": a.pk}).json()["results"]
    assert {row["region"] for row in regional} == {world.amer.pk}
    assert client_for("regional_manager").get(f"{url}{june['id']}/").status_code == 404
    flagged = client_for("manager").get(url, {"claim_flag": "true"}).json()["results"]
    assert [(row["sku"], row["month"]) for row in flagged] == [("NW-A", "2026-06-01")]
    for partner in ("admin_a", "user_b"):
        client = client_for(partner)
        assert client.get(url).json()["results"] == []
        assert client.get(f"{url}{june['id']}/").status_code == 404
