"""Data-quality scores: the calendar, each component against numbers worked out by hand from constructed rows,
the score's weights, the writes of a refresh, and the health component it feeds (weight 0 changes nothing)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from analytics.health import score_health
from analytics.models import DataQualityScore, PartnerHealthScore
from analytics.quality import calendar_periods, expected_reports, score_components
from analytics.quality_loaders import quality_results
from analytics.runs import partner_refresh
from inventory.models import InventoryReport
from sellout.models import SellOutCorrection, SellOutLine, SellOutSerial
from tests import factories as f
from warranty.models import WarrantyClaim

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
OCTOBER = date(2026, 10, 1)


def at(day: int, month: int = 10, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


# --- the calendar (pure) ---------------------------------------------------------------------------------


def test_calendar_periods_count_in_the_month_of_their_last_day():
    # October 2026 starts on a Thursday: the weeks ending on its Sundays are those of the 4th, 11th, 18th, 25th.
    weeks = calendar_periods("weekly", date(2026, 10, 1), date(2026, 10, 31))
    assert [end for _, end in weeks] == [date(2026, 10, 4), date(2026, 10, 11), date(2026, 10, 18), date(2026, 10, 25)]
    assert all(start.weekday() == 0 and (end - start).days == 6 for start, end in weeks)
    assert calendar_periods("monthly", date(2026, 9, 1), date(2026, 10, 31)) == [
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
    ]
    assert calendar_periods("none", date(2026, 9, 1), date(2026, 10, 31)) == []


def test_a_report_is_expected_once_due_and_on_time_until_the_end_of_its_due_day():
    partners = pd.DataFrame(
        [
            {
                "partner_id": 1,
                "owed_from": date(2026, 9, 1),
                "stock_frequency": "monthly",
                "stock_due_days": 10,
                "sellout_frequency": "none",
                "sellout_due_days": 10,
            }
        ]
    )
    stock = pd.DataFrame(
        {
            "partner_id": [1, 1, 1],
            # September's report arrives on its due day (October 10, late evening): on time.
            # October's arrives two days after November 10.
            "day": [date(2026, 9, 30), date(2026, 10, 15), date(2026, 10, 20)],
            "first_created": [at(10, 10, 23), at(12, 11), at(14, 11)],
        }
    )
    empty = pd.DataFrame(columns=["partner_id", "day", "first_created"])
    months = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    owed = expected_reports(partners, {"stock": stock, "sellout": empty}, months, NOW)
    # November's report is due on December 10: not expected yet.
    assert list(owed["month"]) == [date(2026, 9, 1), date(2026, 10, 1)]
    assert list(owed["due"]) == [date(2026, 10, 10), date(2026, 11, 10)]
    assert list(owed["lag_days"]) == [0.0, 2.0]
    # The earliest arrival of the period counts (the 12th, not the 14th).
    assert pd.Timestamp(owed["received_at"].iloc[1]).date() == date(2026, 11, 12)


def test_components_left_out_renormalise_the_weights():
    facts = pd.DataFrame(
        [
            # Only timeliness (1 of 2 on time → 50) and completeness (2 of 2 received → 100) can be measured.
            {
                "stock_expected": 2,
                "stock_received": 2,
                "stock_on_time": 1,
                "sellout_expected": 0,
                "sellout_received": 0,
                "sellout_on_time": 0,
                "field_slots": 0,
                "fields_filled": 0,
                "products_checked": 0,
                "products_consistent": 0,
                "records": 0,
                "corrections": 0,
                "stock_resends": 0,
                "duplicate_claims": 0,
            }
        ]
    )
    row = score_components(facts).iloc[0]
    assert row["timeliness"] == 50.0 and row["completeness"] == 100.0
    assert np.isnan(row["consistency"]) and np.isnan(row["duplicates"])
    # 0.35 and 0.30 renormalised over 0.65.
    assert row["weights"] == {"timeliness": round(0.35 / 0.65, 6), "completeness": round(0.30 / 0.65, 6)}
    assert row["score"] == pytest.approx((0.35 * 50 + 0.30 * 100) / 0.65, abs=0.05)
    assert set(row["reasons"]) == {"consistency", "duplicates"}


def test_more_issues_than_records_floor_duplicates_at_zero():
    facts = pd.DataFrame([dict.fromkeys(["stock_expected", "stock_received", "stock_on_time"], 0)])
    for column in ("sellout_expected", "sellout_received", "sellout_on_time", "field_slots", "fields_filled"):
        facts[column] = 0
    facts = facts.assign(
        products_checked=0, products_consistent=0, records=2, corrections=3, stock_resends=0, duplicate_claims=1
    )
    row = score_components(facts).iloc[0]
    assert row["duplicates"] == 0.0 and row["score"] == 0.0


# --- constructed rows, worked out by hand -----------------------------------------------------------------


def _created(queryset, when: datetime, updated: datetime | None = None) -> None:
    queryset.update(created_at=when, updated_at=updated or when)


def build_october():
    """Partner P (weekly stock due 3 days after Sunday, monthly sell-out due 10 days after the month, 10 %
    tolerance) and partner Q (the default program: both monthly, due after 10 days) reporting in October 2026."""
    weekly = f.ProgramFactory(
        name="Weekly stock",
        is_default=False,
        stock_report_frequency="weekly",
        stock_report_due_days=3,
        sellout_report_frequency="monthly",
        sellout_report_due_days=10,
        consistency_tolerance_pct=10,
    )
    f.ProgramFactory()  # the default program
    p = f.PartnerFactory(name="Pemberton", program=weekly, joined_on=date(2026, 1, 5))
    q = f.PartnerFactory(name="Quillon", program=None, joined_on=date(2026, 1, 5))
    idle = f.PartnerFactory(name="Idle", status="inactive")
    serialised, plain = f.ProductFactory(sku="SER-1"), f.ProductFactory(sku="PLN-1")

    # Stock: week Sep 28–Oct 4 (due Oct 7): missing; week Oct 5–11 (due Oct 14) first arrives Oct 12: on time;
    # week Oct 12–18 (due Oct 21) arrives Oct 23: 2 days late, and is sent again two hours later (a re-send);
    # week Oct 19–25 (due Oct 28): missing. The week of Oct 26–Nov 1 counts in November.
    rows = [
        (serialised, date(2026, 10, 6), 3, at(12)),
        (plain, date(2026, 10, 6), 5, at(13)),
        (serialised, date(2026, 10, 14), 1, at(23)),
    ]
    for product, day, sold, created in rows:
        report = f.InventoryReportFactory(partner=p, product=product, date=day, units_sold=sold)
        resent = created + timedelta(hours=2) if day == date(2026, 10, 14) else None
        _created(InventoryReport.objects.filter(pk=report.pk), created, resent)

    # Sell-out for October (due Nov 10), first line arrives Nov 5: on time.
    def line(number: int, product, kind: str, quantity: int, created: datetime, **extra) -> SellOutLine:
        row = f.SellOutLineFactory(
            reporter=p,
            invoice_number=f"P-{number}",
            date=date(2026, 10, 10 + number),
            product=product,
            transaction_type=kind,
            quantity=quantity,
            **extra,
        )
        _created(SellOutLine.objects.filter(pk=row.pk), created)
        return row

    l1 = line(1, serialised, "sale", 2, at(5, 11), end_customer_name="Acme", end_customer_country="DE")
    l2 = line(2, serialised, "sale", 3, at(20, 11), end_customer_name="Birch")
    line(3, serialised, "return", 1, at(5, 11))
    line(4, plain, "transfer", 3, at(5, 11), sold_to_partner=q)
    SellOutSerial.objects.bulk_create(
        [SellOutSerial(line=l1, product=serialised, serial=s) for s in ("A1", "A2")]
        + [SellOutSerial(line=l2, product=serialised, serial="B1")]
    )
    SellOutCorrection.objects.create(line=l2, revision=2, changed_at=at(20), previous={"quantity": 2})
    claims = [f.WarrantyClaimFactory(partner=p, product=serialised, submitted_at=at(d)) for d in (8, 9)]
    WarrantyClaim.objects.filter(pk=claims[1].pk).update(is_duplicate=True, duplicate_of=claims[0])
    return p, q, idle


@pytest.mark.django_db
def test_each_component_matches_the_figures_worked_out_by_hand():
    p, q, idle = build_october()
    rows = quality_results([p.pk, q.pk, idle.pk], [OCTOBER], NOW).set_index("partner_id")
    assert idle.pk not in rows.index  # only active partners owe reports
    mine = rows.loc[p.pk]
    # Timeliness: stock 4 weeks expected, 2 received, 1 on time; sell-out 1 expected, received on time.
    assert (mine.stock_expected, mine.stock_received, mine.stock_on_time) == (4, 2, 1)
    assert (mine.sellout_expected, mine.sellout_received, mine.sellout_on_time) == (1, 1, 1)
    assert mine.timeliness == pytest.approx(100 * 2 / 5)
    # Completeness: received 3 of 5; optional fields: lines 1–3 go to end customers (2 slots each: name,
    # country; 3 filled), the serialised sales 1 and 2 have a serial slot each (line 1 complete) → 4 of 8.
    assert (mine.field_slots, mine.fields_filled) == (8, 4)
    assert mine.completeness == pytest.approx((100 * 3 / 5 + 100 * 4 / 8) / 2)
    # Consistency: SER-1 sell-out 2 + 3 − 1 = 4 against stock 3 + 1 = 4 (agrees); PLN-1 transferred only
    # (0 sold) against 5 in stock reports (disagrees).
    assert (mine.products_checked, mine.products_consistent) == (2, 1)
    assert mine.consistency == pytest.approx(50.0)
    # Duplicates: 4 lines + 3 stock rows + 2 claims = 9 records; 1 correction, 1 re-send, 1 duplicate claim.
    assert (mine.records, mine.corrections, mine.stock_resends, mine.duplicate_claims) == (9, 1, 1, 1)
    assert mine.duplicates == pytest.approx(100 * (1 - 3 / 9))
    expected = 0.35 * 40 + 0.30 * 55 + 0.20 * 50 + 0.15 * (100 * 6 / 9)  # 50.5
    assert mine.score == pytest.approx(expected, abs=0.05)
    assert mine.findings["late"] == [
        {
            "stream": "stock",
            "period_start": "2026-10-12",
            "period_end": "2026-10-18",
            "due": "2026-10-21",
            "received": "2026-10-23",
            "lag_days": 2,
        }
    ]
    assert [(m["stream"], m["period_start"], m["due"]) for m in mine.findings["missing"]] == [
        ("stock", "2026-09-28", "2026-10-07"),
        ("stock", "2026-10-19", "2026-10-28"),
    ]
    plain = mine.findings["inconsistent"][0]["product_id"]
    assert mine.findings["inconsistent"] == [
        {"product_id": plain, "sku": "PLN-1", "sellout_units": 0, "stock_units": 5}
    ]
    # Q owes a monthly stock and sell-out report and sent neither: 0 on time, 0 received, nothing else to measure.
    other = rows.loc[q.pk]
    assert (other.stock_expected, other.sellout_expected, other.stock_received + other.sellout_received) == (1, 1, 0)
    assert other.score == 0.0 and np.isnan(other.consistency) and np.isnan(other.duplicates)
    assert len(other.findings["missing"]) == 2


@pytest.mark.django_db
def test_a_partner_onboarded_mid_month_owes_nothing_before_it():
    p, q, _ = build_october()
    type(q).objects.filter(pk=q.pk).update(onboarded_on=date(2026, 10, 15))
    rows = quality_results([q.pk], [OCTOBER], NOW)
    assert rows.empty  # October's monthly reports started before the 15th: not owed, and nothing was sent


@pytest.mark.django_db
def test_a_refresh_stores_the_months_and_feeds_the_health_input():
    p, _, _ = build_october()
    partner_refresh(partner_id=p.pk, now=NOW)
    stored = DataQualityScore.objects.get(partner=p, month=OCTOBER)
    # The 24 months of a refresh owe October the same periods as October alone.
    assert stored.is_complete and stored.score == pytest.approx(
        quality_results([p.pk], [OCTOBER], NOW)["score"].iloc[0]
    )
    assert stored.score == 50.5
    assert stored.findings["late"][0]["received"] == "2026-10-23"
    # November is in progress: its row is there, not complete.
    assert DataQualityScore.objects.filter(partner=p, month=date(2026, 11, 1), is_complete=False).exists()
    # The current health score carries the last complete month's data quality (October's), unused at weight 0.
    health = PartnerHealthScore.objects.get(partner=p, is_current=True)
    assert health.data_quality_score == pytest.approx(stored.score)
    assert health.data_quality_weight is None and "data_quality" not in health.reasons
    # A second refresh replaces the rows, never duplicates them.
    partner_refresh(partner_id=p.pk, now=NOW)
    assert DataQualityScore.objects.filter(partner=p, month=OCTOBER).count() == 1


# --- the health component ---------------------------------------------------------------------------------


def _inputs(with_quality: bool) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 12
    frame = pd.DataFrame(
        {
            "point": 0,
            "partner_id": range(1, n + 1),
            "tier_key": [1] * 6 + [2] * 6,
            "revenue_90d": rng.integers(0, 50_000, n).astype(float),
            "revenue_prior_90d": rng.integers(0, 50_000, n).astype(float),
            "pipeline": rng.integers(0, 80_000, n).astype(float),
            "engagement_90d": rng.integers(0, 40, n),
            "won_180d": rng.integers(0, 6, n),
            "lost_180d": rng.integers(0, 6, n),
            "units_sold_90d": rng.integers(0, 500, n),
            "on_hand": rng.integers(0, 900, n).astype(float),
            "claims_90d": rng.integers(0, 5, n),
        }
    )
    if with_quality:
        frame["data_quality_score"] = [90.0, 40.0, np.nan, 75.5, 75.5, 10.0, 100.0, 20.0, 60.0, 60.0, 30.0, np.nan]
    return frame


DEFAULT_WEIGHTS = {
    "revenue": 0.30,
    "growth": 0.15,
    "pipeline": 0.15,
    "engagement": 0.15,
    "deal_quality": 0.10,
    "operations": 0.15,
}


def test_a_zero_data_quality_weight_leaves_every_score_identical():
    before = score_health(_inputs(with_quality=False), DEFAULT_WEIGHTS)
    after = score_health(_inputs(with_quality=True), {**DEFAULT_WEIGHTS, "data_quality": 0.0})
    pd.testing.assert_series_equal(before["score"], after["score"])
    pd.testing.assert_series_equal(before["band"], after["band"])
    assert list(before["reasons"]) == list(after["reasons"])  # no reason recorded for an unconfigured component
    for name in DEFAULT_WEIGHTS:
        pd.testing.assert_series_equal(before[f"{name}_weight"], after[f"{name}_weight"])
    assert after["data_quality_weight"].isna().all()


def test_a_data_quality_weight_ranks_the_score_among_peers_and_renormalises():
    weights = {**DEFAULT_WEIGHTS, "data_quality": 0.25}
    out = score_health(_inputs(with_quality=True), weights).set_index("partner_id")
    # Tier 1 holds 90, 40, (none), 75.5, 75.5, 10: ranks among the five present, ties share the mean rank.
    expected_pct = {1: 90.0, 2: 30.0, 4: 60.0, 5: 60.0, 6: 10.0}
    for partner_id, pct in expected_pct.items():
        assert out.loc[partner_id, "data_quality_pct"] == pytest.approx(pct)
    assert np.isnan(out.loc[3, "data_quality_weight"])
    assert out.loc[3, "reasons"]["data_quality"] == "no data-quality score for the last complete month"
    for partner_id in expected_pct:
        row = out.loc[partner_id]
        names = [*DEFAULT_WEIGHTS, "data_quality"]
        used = {n: weights[n] for n in names if not np.isnan(row[f"{n}_metric"])}
        total = sum(used.values())
        independent = sum(w / total * row[f"{n}_pct"] for n, w in used.items())
        assert row["score"] == pytest.approx(independent, abs=0.05)


@pytest.mark.django_db
def test_saved_weights_rescore_with_the_stored_data_quality(django_capture_on_commit_callbacks):
    from analytics import services

    p, q, _ = build_october()
    for partner in (p, q):
        partner_refresh(partner_id=partner.pk, now=NOW)
    # Rank both partners together once (each refresh ranked one against the peers' scores of that moment).
    with django_capture_on_commit_callbacks(execute=True):
        services.health_weights_save(weights=DEFAULT_WEIGHTS)
    before = dict(PartnerHealthScore.objects.filter(is_current=True).values_list("partner_id", "score"))
    only_quality = dict.fromkeys(DEFAULT_WEIGHTS, 0.0) | {"data_quality": 1.0}
    with django_capture_on_commit_callbacks(execute=True):
        services.health_weights_save(weights=only_quality)
    scores = {s.partner_id: s for s in PartnerHealthScore.objects.filter(is_current=True)}
    # October: P 50.5, Q 0 (owed both reports, sent neither); two Gold peers rank at 75 and 25.
    assert (scores[p.pk].data_quality_score, scores[q.pk].data_quality_score) == (50.5, 0.0)
    assert (scores[p.pk].data_quality_pct, scores[q.pk].data_quality_pct) == (75.0, 25.0)
    assert (scores[p.pk].score, scores[q.pk].score) == (75.0, 25.0)
    assert "data quality: 75th percentile of Gold partners" in [c["explanation"] for c in scores[p.pk].components]
    # Back to the defaults (data quality 0): every score is what it was.
    with django_capture_on_commit_callbacks(execute=True):
        services.health_weights_save(weights=DEFAULT_WEIGHTS)
    after = dict(PartnerHealthScore.objects.filter(is_current=True).values_list("partner_id", "score"))
    assert after == before


# --- random rows against a plain re-computation -----------------------------------------------------------


def _plain_scores(partners, months: list[date], now: datetime) -> dict:
    """The documented rules written out row by row over the ORM (no pandas, no grouped SQL)."""
    serialised = set(SellOutSerial.objects.values_list("product_id", flat=True))
    out = {}
    for partner in partners:
        if partner.status != "active":
            continue
        program = partner.program
        earliest = months[0] - timedelta(days=6)
        owed_from = max(earliest, partner.onboarded_on or partner.joined_on or earliest)
        stock = list(InventoryReport.objects.filter(partner=partner))
        lines = list(SellOutLine.objects.filter(reporter=partner).prefetch_related("serials"))
        for month in months:
            last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            facts = dict.fromkeys(
                ["stock_expected", "stock_received", "stock_on_time", "sellout_expected", "sellout_received",
                 "sellout_on_time", "field_slots", "fields_filled", "products_checked", "products_consistent",
                 "records", "corrections", "stock_resends", "duplicate_claims"],
                0,
            )  # fmt: skip
            for stream, rows in (("stock", stock), ("sellout", lines)):
                frequency = getattr(program, f"{stream}_report_frequency")
                due_days = getattr(program, f"{stream}_report_due_days")
                if frequency == "monthly":
                    periods = [(month, last)]
                elif frequency == "weekly":
                    sundays = [month + timedelta(days=i) for i in range((last - month).days + 1)]
                    periods = [(d - timedelta(days=6), d) for d in sundays if d.weekday() == 6]
                else:
                    periods = []
                for start, end in periods:
                    due = end + timedelta(days=due_days)
                    if start < owed_from or not due < now.date():
                        continue
                    facts[f"{stream}_expected"] += 1
                    arrived = [r.created_at for r in rows if start <= r.date <= end]
                    if arrived:
                        facts[f"{stream}_received"] += 1
                        facts[f"{stream}_on_time"] += min(arrived).date() <= due
            in_month = [ln for ln in lines if month <= ln.date <= last]
            for ln in in_month:
                if ln.sold_to_partner_id is None and ln.transaction_type != "transfer":
                    facts["field_slots"] += 2
                    facts["fields_filled"] += bool(ln.end_customer_name) + bool(ln.end_customer_country)
                if ln.transaction_type in ("sale", "drop_ship") and ln.product_id in serialised:
                    facts["field_slots"] += 1
                    facts["fields_filled"] += len(ln.serials.all()) >= ln.quantity
            stock_in_month = [r for r in stock if month <= r.date <= last]
            if in_month and stock_in_month:
                sold: dict[int, int] = {}
                for ln in in_month:
                    sold[ln.product_id] = (
                        sold.get(ln.product_id, 0) + SellOutLine.SIGN[ln.transaction_type] * ln.quantity
                    )
                counted: dict[int, int] = {}
                for r in stock_in_month:
                    counted[r.product_id] = counted.get(r.product_id, 0) + r.units_sold
                for product in set(sold) | set(counted):
                    a, b = sold.get(product, 0), counted.get(product, 0)
                    facts["products_checked"] += 1
                    facts["products_consistent"] += abs(a - b) * 100 <= program.consistency_tolerance_pct * max(
                        abs(a), abs(b)
                    )
            claims = [
                c for c in WarrantyClaim.objects.filter(partner=partner) if month <= c.submitted_at.date() <= last
            ]
            facts["records"] = len(in_month) + len(stock_in_month) + len(claims)
            facts["corrections"] = sum(
                1
                for c in SellOutCorrection.objects.filter(line__reporter=partner)
                if month <= c.changed_at.date() <= last
            )
            facts["stock_resends"] = sum(
                1 for r in stock_in_month if r.updated_at > r.created_at + timedelta(minutes=1)
            )
            facts["duplicate_claims"] = sum(1 for c in claims if c.is_duplicate)
            expected = facts["stock_expected"] + facts["sellout_expected"]
            components = {}
            if expected:
                components["timeliness"] = 100 * (facts["stock_on_time"] + facts["sellout_on_time"]) / expected
            parts = []
            if expected:
                parts.append(100 * (facts["stock_received"] + facts["sellout_received"]) / expected)
            if facts["field_slots"]:
                parts.append(100 * facts["fields_filled"] / facts["field_slots"])
            if parts:
                components["completeness"] = sum(parts) / len(parts)
            if facts["products_checked"]:
                components["consistency"] = 100 * facts["products_consistent"] / facts["products_checked"]
            if facts["records"]:
                issues = facts["corrections"] + facts["stock_resends"] + facts["duplicate_claims"]
                components["duplicates"] = max(0.0, 100 * (1 - issues / facts["records"]))
            if components:
                weights = {"timeliness": 0.35, "completeness": 0.30, "consistency": 0.20, "duplicates": 0.15}
                total = sum(weights[n] for n in components)
                score = sum(weights[n] / total * v for n, v in components.items())
                out[(partner.pk, month)] = (facts, components, score)
    return out


@pytest.mark.django_db
def test_random_rows_score_as_the_rules_written_out_row_by_row():
    import random

    rng = random.Random(11)
    weekly = f.ProgramFactory(
        name="Weekly both", is_default=False, stock_report_frequency="weekly", stock_report_due_days=2,
        sellout_report_frequency="weekly", sellout_report_due_days=4, consistency_tolerance_pct=25,
    )  # fmt: skip
    none = f.ProgramFactory(name="Stock only", is_default=False, sellout_report_frequency="none")
    partners = [
        f.PartnerFactory(program=weekly, joined_on=date(2026, 9, 9)),
        f.PartnerFactory(program=none, joined_on=date(2025, 1, 1)),
        f.PartnerFactory(joined_on=date(2025, 1, 1), onboarded_on=date(2026, 9, 1)),
    ]
    products = [f.ProductFactory() for _ in range(4)]
    months = [date(2026, 9, 1), date(2026, 10, 1)]
    invoice = 0
    for partner in partners:
        for _ in range(rng.randint(12, 24)):
            day = date(2026, 9, 1) + timedelta(days=rng.randint(-5, 60))
            product = rng.choice(products)
            if InventoryReport.objects.filter(partner=partner, product=product, date=day).exists():
                continue
            row = f.InventoryReportFactory(partner=partner, product=product, date=day, units_sold=rng.randint(0, 9))
            created = datetime(day.year, day.month, day.day, 18, tzinfo=UTC) + timedelta(days=rng.randint(0, 12))
            resent = created + timedelta(hours=rng.choice([0, 0, 3]))
            _created(InventoryReport.objects.filter(pk=row.pk), created, resent)
        for _ in range(rng.randint(10, 20)):
            invoice += 1
            day = date(2026, 9, 1) + timedelta(days=rng.randint(-5, 60))
            kind = rng.choice(["sale", "sale", "sale", "return", "transfer", "drop_ship"])
            line = f.SellOutLineFactory(
                reporter=partner,
                invoice_number=f"R-{invoice}",
                date=day,
                product=rng.choice(products),
                transaction_type=kind,
                quantity=rng.randint(1, 4),
                end_customer_name=rng.choice(["", "Delta"]),
                end_customer_country=rng.choice(["", "FR"]),
                sold_to_partner=partners[0] if kind == "transfer" and partner != partners[0] else None,
            )
            created = datetime(day.year, day.month, day.day, 20, tzinfo=UTC) + timedelta(days=rng.randint(0, 15))
            _created(SellOutLine.objects.filter(pk=line.pk), created)
            if line.product_id in (products[0].pk, products[1].pk) and kind in ("sale", "drop_ship"):
                for s in range(rng.randint(0, line.quantity)):
                    SellOutSerial.objects.create(line=line, product_id=line.product_id, serial=f"S{line.pk}-{s}")
            if rng.random() < 0.2:
                SellOutCorrection.objects.create(line=line, revision=2, changed_at=created, previous={})
        for n in range(rng.randint(0, 4)):
            claim = f.WarrantyClaimFactory(partner=partner, submitted_at=at(rng.randint(1, 28), rng.choice([9, 10])))
            WarrantyClaim.objects.filter(pk=claim.pk).update(is_duplicate=n % 2 == 1)
    computed = quality_results([p.pk for p in partners], months, NOW)
    plain = _plain_scores(type(partners[0]).objects.filter(pk__in=[p.pk for p in partners]), months, NOW)
    assert len(computed) == len(plain) > 3
    # The rows exercise every component, late reports and imperfect months.
    assert computed[["timeliness", "completeness", "consistency", "duplicates"]].notna().any().all()
    assert (computed["timeliness"] < 100).any() and (computed["consistency"] < 100).any()
    assert (computed["fields_filled"] < computed["field_slots"]).any() and computed["stock_resends"].sum() > 0
    for row in computed.itertuples():
        facts, components, score = plain[(row.partner_id, row.month)]
        assert {k: int(getattr(row, k)) for k in facts} == facts, (row.partner_id, row.month)
        for name in ("timeliness", "completeness", "consistency", "duplicates"):
            value = getattr(row, name)
            assert components.get(name, np.nan) == pytest.approx(value, nan_ok=True)
        assert row.score == pytest.approx(score, abs=0.05)


@pytest.mark.django_db
def test_852_balance_checks_count_in_consistency_and_exceptions_are_findings():
    from edi.models import EdiImport, ProductActivity

    p, _, _ = build_october()
    interchange = EdiImport.objects.create(partner=p, source="api", content=b"ISA", content_hash="0" * 64)
    product = f.ProductFactory(sku="EDI-1")
    for end, difference in (
        (date(2026, 10, 11), 0),
        (date(2026, 10, 18), 0),
        (date(2026, 10, 25), -1),
        (date(2026, 10, 25), None),
    ):
        ProductActivity.objects.create(
            partner=p,
            site_name=f"site {end.day} {difference}",
            product=product,
            period_start=end - timedelta(days=6),
            period_end=end,
            balance_difference=difference,
            edi_import=interchange,
        )
    mine = quality_results([p.pk], [OCTOBER], NOW).iloc[0]
    # The two product-months of the hand-worked case (1 agrees) and three checkable balances (2 hold).
    assert (mine.products_checked, mine.products_consistent) == (5, 3)
    assert mine.consistency == pytest.approx(60.0)
    assert mine.score == pytest.approx(0.35 * 40 + 0.30 * 55 + 0.20 * 60 + 0.15 * (100 * 6 / 9), abs=0.05)
    assert mine.findings["balance"] == [
        {"product_id": product.pk, "sku": "EDI-1", "period_end": "2026-10-25", "difference": -1}
    ]
