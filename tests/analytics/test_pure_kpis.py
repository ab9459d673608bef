"""The pure KPI functions on hand-made frames: no database, exact expectations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from analytics import kpis
from analytics.definitions import KPI_COLUMNS
from analytics.periods import Periods, Window, to_date_periods, to_seconds

NOW = datetime(2025, 7, 15, 12, tzinfo=UTC).timestamp()
MONTHS = Periods.months(date(2025, 1, 1), date(2025, 7, 1), NOW)


def s(*args) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def deals(*rows) -> pd.DataFrame:
    columns = ["key", "submitted", "decided", "closed", "expires", "status", "amount", "conflict"]
    return pd.DataFrame([dict(zip(columns, row, strict=True)) for row in rows], columns=columns)


NAN = np.nan


def test_a_period_includes_its_start_and_excludes_its_end():
    frame = deals(
        (1, s(2025, 1, 31, 23), s(2025, 2, 1), NAN, s(2025, 5, 2), "approved", 10.0, False),
        (1, s(2025, 1, 20), s(2025, 3, 1) - 1e-6, NAN, NAN, "rejected", 5.0, True),
    )
    out = kpis.deal_kpis(frame, [1], MONTHS)
    assert out.loc[(1, 0), "deals_registered"] == 2 and out.loc[(1, 0), "deals_conflicting"] == 1
    assert out.loc[(1, 1), ["deals_approved", "deals_rejected"]].tolist() == [1, 1]
    assert out.loc[(1, 0), "deals_approved"] == 0
    assert out.loc[(1, 1), "median_hours_to_decision"] == pytest.approx((1 + 40 * 24 - 1e-6 / 3600) / 2)


def test_pipeline_is_the_state_at_the_end_of_each_period_rebuilt_from_timestamps():
    frame = deals(
        # approved in January, won in March: pipeline at the ends of January and February only
        (1, s(2025, 1, 2), s(2025, 1, 3), s(2025, 3, 10), s(2025, 4, 3), "won", 100.0, False),
        # protection ends exactly at the end of February: still protected then (expires ≥ end)
        (1, s(2025, 1, 2), s(2025, 1, 3), s(2025, 3, 1, 5), s(2025, 3, 1), "expired", 20.0, False),
        # closed exactly at the end of February: not closed before the end, so in February's pipeline
        (1, s(2025, 1, 5), s(2025, 1, 6), s(2025, 3, 1), s(2025, 4, 6), "lost", 3.0, False),
        # still approved now, protection running: in every pipeline since its approval, including now
        (1, s(2025, 5, 5), s(2025, 5, 6), NAN, s(2025, 8, 4), "approved", 7.0, False),
        # rejected deals never count
        (1, s(2025, 1, 5), s(2025, 1, 6), NAN, NAN, "rejected", 1000.0, False),
    )
    pipeline = kpis.deal_kpis(frame, [1], MONTHS)["pipeline_value"].tolist()
    assert pipeline == [123.0, 123.0, 0.0, 0.0, 7.0, 7.0, 7.0]


def test_stock_positions_use_the_latest_report_before_the_end():
    rows = pd.DataFrame(
        {
            "key": [1, 1, 1, 1],
            "partner_id": [1, 1, 1, 1],
            "product_id": [10, 10, 11, 11],
            "day": [to_seconds(date(2025, 1, 10)), to_seconds(date(2025, 3, 1)), to_seconds(date(2025, 2, 5)), 0.0],
            "on_hand": [5, 0, 8, 3],
            "units_sold": [2, 4, 0, 9],
        }
    )
    rows.loc[3, "day"] = to_seconds(date(2025, 2, 20))
    out = kpis.inventory_kpis(rows, [1], MONTHS)
    assert out["on_hand_end"].tolist()[:3] == [5.0, 8.0, 3.0]  # March: product 10 at 0, product 11 at 3
    assert out["stockouts"].tolist()[:3] == [0.0, 0.0, 1.0]
    assert out["units_sold"].tolist()[:3] == [2.0, 9.0, 4.0]
    assert out["inventory_reports"].tolist()[:3] == [1.0, 2.0, 1.0]
    empty = kpis.inventory_kpis(rows.iloc[0:0], [1], MONTHS)
    assert empty["on_hand_end"].isna().all() and (empty["units_sold"] == 0).all()


def test_rates_are_empty_when_there_is_nothing_to_divide_by():
    frame = kpis.compute_kpis(
        deals(),
        pd.DataFrame(columns=["key", "partner_id", "product_id", "day", "on_hand", "units_sold"]),
        pd.DataFrame(columns=["key", "submitted", "decided", "status"]),
        pd.DataFrame(columns=["key", "earned", "expires"]),
        [1],
        MONTHS,
    )
    rate_columns = [
        "approval_rate",
        "win_rate",
        "avg_won_deal",
        "sales_cycle_days",
        "conflict_rate",
        "sell_through",
        "days_of_cover",
        "claim_approval_rate",
        "claim_resolution_days",
        "claims_per_1000_units",
        "median_hours_to_decision",
        "on_hand_end",
        "stockouts",
    ]
    assert frame[rate_columns].isna().all().all()
    assert (frame[["deals_registered", "won_revenue", "pipeline_value", "units_sold"]] == 0).all().all()


def random_frames(seed: int):
    rng = np.random.default_rng(seed)
    n = 400
    start, end = s(2024, 7, 1), NOW
    submitted = rng.uniform(start, end, n)
    decided = np.where(rng.random(n) < 0.8, submitted + rng.uniform(0, 20 * 86400, n), np.nan)
    decided = np.where(decided < NOW, decided, np.nan)
    closed = np.where(rng.random(n) < 0.6, decided + rng.uniform(0, 80 * 86400, n), np.nan)
    closed = np.where(closed < NOW, closed, np.nan)
    status = np.where(np.isnan(decided), "submitted", np.where(rng.random(n) < 0.2, "rejected", "approved"))
    status = np.where((status == "approved") & ~np.isnan(closed), rng.choice(["won", "lost", "withdrawn"], n), status)
    closed = np.where(status == "rejected", np.nan, closed)
    frame = pd.DataFrame(
        {
            "key": rng.integers(1, 4, n),
            "submitted": submitted,
            "decided": decided,
            "closed": closed,
            "expires": decided + 90 * 86400,
            "status": status,
            "amount": rng.integers(1, 10_000, n) / 100,
            "conflict": rng.random(n) < 0.1,
        }
    )
    stock = pd.DataFrame(
        {
            "partner_id": rng.integers(1, 4, 300),
            "product_id": rng.integers(1, 5, 300),
            "day": (rng.integers(0, 370, 300) * 86400 + start).astype(float),
            "on_hand": rng.integers(0, 30, 300),
            "units_sold": rng.integers(0, 9, 300),
        }
    ).drop_duplicates(["partner_id", "product_id", "day"])
    stock["key"] = stock["partner_id"]
    claims = pd.DataFrame({"key": rng.integers(1, 4, 80), "submitted": rng.uniform(start, end, 80)})
    claims["decided"] = np.where(rng.random(80) < 0.7, claims["submitted"] + 3 * 86400, np.nan)
    claims["status"] = np.where(claims["decided"].isna(), "under_review", rng.choice(["approved", "rejected"], 80))
    certs = pd.DataFrame(
        {"key": [1, 2, 3], "earned": [start, start + 1e7, start], "expires": [np.nan, end, start + 5e6]}
    )
    return frame, stock, claims, certs


def random_sellout(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sell-out lines (every sign, some without a rate) and the end customers of their sale lines, some dated
    before the history (first sales that make later ones not new)."""
    rng = np.random.default_rng(seed)
    n = 300
    day = (rng.integers(0, 560, n) * 86400 + s(2024, 1, 1)).astype(float)
    sign = rng.choice([1, 1, 1, -1, 0], n)
    quantity = rng.integers(1, 20, n).astype(float)
    amount = np.where(rng.random(n) < 0.1, np.nan, quantity * rng.integers(100, 90_000, n) / 100)
    lines = pd.DataFrame(
        {
            "key": rng.integers(1, 4, n),
            "day": day,
            "sign": sign,
            "quantity": quantity,
            "amount": amount,
            "product_line_id": rng.integers(1, 3, n),
            "country": rng.choice(["DE", "US", ""], n),
        }
    )
    lines["partner_id"] = lines["key"]
    sales = lines[(lines["sign"] > 0).to_numpy()]
    customers = pd.DataFrame(
        {
            "key": sales["key"],
            "partner_id": sales["key"],
            "customer": np.where(rng.random(len(sales)) < 0.2, np.nan, rng.integers(-3, 12, len(sales))),
            "day": sales["day"],
            "product_line_id": sales["product_line_id"],
        }
    )
    return lines, customers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_quarter_roll_ups_equal_computing_the_quarter_directly(seed):
    window = Window.full(datetime.fromtimestamp(NOW, UTC), history_months=12)
    frame, stock, claims, certs = random_frames(seed)
    lines, customers = random_sellout(seed)
    keys = [1, 2, 3]
    monthly = kpis.compute_kpis(frame, stock, claims, certs, keys, window.months, sellout=lines, customers=customers)
    quarters, mapping = window.months.roll_up("quarter")
    rolled = kpis.roll_up(monthly, mapping, quarters, kpis.recomputed_columns(frame, customers, keys, quarters))
    direct = kpis.compute_kpis(frame, stock, claims, certs, keys, quarters, sellout=lines, customers=customers)
    assert direct["end_customers_reached"].sum() > 0 and direct["sellout_lines_unconverted"].sum() > 0
    pd.testing.assert_frame_equal(rolled[direct.columns].astype(float), direct.astype(float), rtol=1e-9)


@pytest.mark.parametrize("seed", [4, 5])
def test_group_totals_of_chunks_equal_the_totals_of_everyone(seed):
    frame, stock, claims, certs = random_frames(seed)
    monthly = kpis.compute_kpis(frame, stock, claims, certs, [1, 2, 3], MONTHS)
    everyone = pd.Series("", index=[1, 2, 3])
    whole = kpis.group_totals(monthly, everyone)
    parts = [kpis.group_totals(monthly.loc[[k]], everyone) for k in (1, 2, 3)]
    pd.testing.assert_frame_equal(kpis.combine_totals(parts)[whole.columns].astype(float), whole.astype(float))
    # and the group's totals are the formulas over all rows at once
    direct = kpis.compute_kpis(
        frame.assign(key=""), stock.assign(key=""), claims.assign(key=""), certs.assign(key=""), [""], MONTHS
    )
    for column in ("deals_registered", "won_revenue", "pipeline_value", "on_hand_end", "claims_rejected"):
        assert np.allclose(whole[column].to_numpy(float), direct[column].to_numpy(float), equal_nan=True), column


def test_failure_code_counts_group_claims_by_partner_attributes_line_and_code():
    claims = pd.DataFrame(
        [
            # partner 1 (region 10, tier 5, reseller): two PSU claims in February, one of them paid
            (1, s(2025, 2, 3), "paid", 7, 100),
            (1, s(2025, 2, 28, 23, 59, 59), "submitted", 7, 100),
            # partner 2 is in the same group: its March claim adds to the same group's March count
            (2, s(2025, 3, 1), "approved", 7, 100),
            # partner 3 has no tier: a group of its own, kept although its tier is empty
            (3, s(2025, 2, 10), "rejected", 7, 100),
            # submitted before the first period: not counted (its decision date does not matter)
            (1, s(2024, 12, 31, 23), "approved", 7, 100),
        ],
        columns=["partner_id", "submitted", "status", "product_line_id", "failure_code_id"],
    )
    partners = pd.DataFrame(
        [(1, 10, 5.0, "reseller"), (2, 10, 5.0, "reseller"), (3, 10, NAN, "reseller")],
        columns=["partner_id", "region_id", "tier_id", "partner_type"],
    )
    out = kpis.failure_code_counts(claims, partners, MONTHS)
    rows = {(None if pd.isna(r.tier_id) else r.tier_id, r.period): r for r in out.itertuples()}
    assert len(out) == 3
    assert (rows[(5.0, 1)].claims_submitted, rows[(5.0, 1)].claims_approved) == (2, 1)
    assert (rows[(5.0, 2)].claims_submitted, rows[(5.0, 2)].claims_approved) == (1, 1)
    assert (rows[(None, 1)].claims_submitted, rows[(None, 1)].claims_approved) == (1, 0)
    _, mapping = MONTHS.roll_up("quarter")
    by_quarter = kpis.add_failure_counts([out.iloc[:2], out.iloc[2:]], mapping)  # two chunks, months → quarters
    first = by_quarter[by_quarter["period"] == 0].set_index(by_quarter["tier_id"].fillna(-1))
    assert first.loc[5.0, ["claims_submitted", "claims_approved"]].tolist() == [3, 2]
    assert first.loc[-1, ["claims_submitted", "claims_approved"]].tolist() == [1, 0]


def test_days_of_cover_of_an_exact_60_days_is_60():
    """on_hand_end × days / units_sold: 22 on hand after 33 sold in 90 days is exactly 60, not 60.00000000000001."""
    zero = dict.fromkeys(KPI_COLUMNS, 0.0)
    frame = pd.DataFrame(
        [{**zero, "units_sold": 33.0, "on_hand_end": 22.0}],
        index=pd.MultiIndex.from_tuples([(0, 0)], names=["key", "period"]),
    )
    assert kpis.derive_rates(frame, np.array([90.0]))["days_of_cover"].iloc[0] == 60.0


@pytest.mark.parametrize(
    ("seed", "today"), [(6, datetime(2025, 7, 15, 9, tzinfo=UTC)), (7, datetime(2025, 3, 31, 23, tzinfo=UTC))]
)
def test_to_date_comparisons_equal_computing_each_range_directly(seed, today):
    """Whole months added up plus the partial last month give what the raw rows give over each cut range."""
    window = Window.full(today, history_months=15)
    frame, stock, claims, certs = random_frames(seed)
    keys = [1, 2, 3]
    claims = claims.assign(key=claims["key"])
    lines, customers = random_sellout(seed)
    monthly = kpis.compute_kpis(frame, stock, claims, certs, keys, window.months, sellout=lines, customers=customers)
    targets = list(to_date_periods(today, earliest=window.months.starts[0]).values())
    assert targets
    raw = (frame, stock, claims, certs, lines, customers)
    got = kpis.to_date_kpis(monthly, window.months, raw, keys, targets)
    for frame_td, periods in zip(got, targets, strict=True):
        direct = kpis.compute_kpis(frame, stock, claims, certs, keys, periods, sellout=lines, customers=customers)
        columns = [c for c in direct.columns if c != "median_hours_to_decision"]
        pd.testing.assert_frame_equal(frame_td[columns].astype(float), direct[columns].astype(float), rtol=1e-9)
        assert frame_td["median_hours_to_decision"].isna().all()
