"""The KPI formulas of DESIGN §3 (pure: pandas in, pandas out; no ORM).

Every function takes row-level frames whose times are epoch seconds (NaN = not
set) and a `Periods`, and returns one row per (key, period) for every key asked
for — a key with no rows still gets its zeros and NULLs. The key is whatever the
caller groups by: a partner id, a product line id. Periods are [start, end);
positions "at the end of P" are read at E = end of P, or now while P is running.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from . import currency, sellout_kpis
from .bins import _f, _ms, bin_median, bin_sum, interval_sum, key_codes, to_frame
from .currency import Rates
from .definitions import KPI_COLUMNS
from .periods import DAY, Periods

HOUR = 3600.0
# Durations are summed in whole milliseconds: integer-valued floats add up exactly, so totals (and the rates
# built from them) are identical however partners are split into chunks. Stored columns are in days.
MS_PER_DAY = 86_400_000.0
TOTAL_COLUMNS = ("sales_cycle_days_total", "claim_resolution_days_total", "ticket_resolution_days_total")
SUM_COLUMNS = [c for c, kind in KPI_COLUMNS.items() if kind == "sum"]
STOCK_COLUMNS = [c for c, kind in KPI_COLUMNS.items() if kind == "stock"]
MEDIAN_COLUMNS = [c for c, kind in KPI_COLUMNS.items() if kind == "median"]
# Distinct counts of end customers: like medians, recomputed from raw rows for every period and group.
DISTINCT_COLUMNS = [c for c, kind in KPI_COLUMNS.items() if kind == "distinct"]
RECOMPUTED_COLUMNS = MEDIAN_COLUMNS + DISTINCT_COLUMNS
APPROVED_DECISION_STATUSES = ("approved", "won", "lost", "expired", "withdrawn")
APPROVED_CLAIM_STATUSES = ("approved", "paid")
# A group of claims counted per failure code: the partners' region, tier and type, and the product line.
FAILURE_GROUP = ["region_id", "tier_id", "partner_type", "product_line_id", "failure_code_id"]
FAILURE_COUNTS = ["claims_submitted", "claims_approved"]
LINE_REVENUE_GROUP = ["region_id", "tier_id", "partner_type", "product_line_id"]


# --- the KPI families --------------------------------------------------------------------------


def deal_kpis(deals: pd.DataFrame, keys: Sequence, periods: Periods, rates: Rates | None = None) -> pd.DataFrame:
    """Deal registration KPIs per key and period.

    `deals`: key, submitted, decided, closed, expires (epoch s), status, amount (float), currency, conflict (bool).
    Money is in the reporting currency (`analytics.currency`, `rates`; None = the amounts are already in it):
    won revenue at the rate of each deal's close date, pipeline at the rate of the last day of P (today while
    P runs); amounts with no rate are left out (and reported by `unconverted_deals`).
    - deals_registered = registrations with submitted_at in P; deals_conflicting = those flagged as conflicting
    - deals_approved / deals_rejected = registrations whose approval decision (decided_at) is in P, by decision
      (status rejected → rejected; any later status of an approved deal → approved)
    - deals_won / deals_lost = registrations with closed_at in P and status won / lost
    - won_revenue = Σ amount of deals won in P; sales_cycle_days_total = Σ (closed − submitted), won in P (in ms)
    - median_hours_to_decision = median of (decided − submitted) in hours, decisions in P
    - pipeline_value = Σ amount of deals approved before E, not closed before E (closed_at ≥ E or never) and with
      protection_expires_at ≥ E — the state at E rebuilt from timestamps, whatever happened after.
    """
    shape = (len(keys), len(periods))
    codes = key_codes(deals["key"], keys)
    submitted, decided, closed = _f(deals, "submitted"), _f(deals, "decided"), _f(deals, "closed")
    status = deals["status"].to_numpy()
    rejected = status == "rejected"
    approved = np.isin(status, APPROVED_DECISION_STATUSES) & ~np.isnan(decided)
    sub_idx, dec_idx, close_idx = (periods.index_of(t) for t in (submitted, decided, closed))
    won, lost = status == "won", status == "lost"
    conflict = deals["conflict"].to_numpy(dtype=bool)

    def count(mask: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return bin_sum(codes[mask], idx[mask], None, shape)

    won_amount = currency.converted(deals, "closed", rates)
    pipeline, _ = pipeline_sums(deals, codes, len(keys), periods.effective_end_s, rates)
    return to_frame(
        {
            "deals_registered": count(np.ones(len(codes), bool), sub_idx),
            "deals_conflicting": count(conflict, sub_idx),
            "deals_approved": count(approved, dec_idx),
            "deals_rejected": count(rejected & ~np.isnan(decided), dec_idx),
            "deals_won": count(won, close_idx),
            "deals_lost": count(lost, close_idx),
            "won_revenue": bin_sum(codes[won], close_idx[won], won_amount[won], shape),
            "sales_cycle_days_total": bin_sum(codes[won], close_idx[won], _ms(closed - submitted)[won], shape),
            "median_hours_to_decision": bin_median(codes, dec_idx, (decided - submitted) / HOUR, shape),
            "pipeline_value": pipeline,
        },
        keys,
        len(periods),
    )


def pipeline_sums(
    deals: pd.DataFrame, codes: np.ndarray, nkeys: int, points: np.ndarray, rates: Rates | None
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Pipeline value per (key, point): Σ amount of deals approved before the point, not closed before it
    (closed_at ≥ point or never) and with protection_expires_at ≥ point, in the reporting currency at the rate
    of the point's last day; and, per currency with no rate at some points, the (amount, count) left out."""
    decided, closed, expires = _f(deals, "decided"), _f(deals, "closed"), _f(deals, "expires")
    approved = np.isin(deals["status"].to_numpy(), APPROVED_DECISION_STATUSES) & ~np.isnan(decided)
    upper = np.fmin(np.where(np.isnan(closed), np.inf, closed), np.where(np.isnan(expires), np.inf, expires))
    amount = _f(deals, "amount")

    def open_at(mask: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        rows = approved & mask
        w = None if weights is None else weights[rows]
        return interval_sum(codes[rows], decided[rows], upper[rows], w, points, nkeys)

    labels = deals["currency"].to_numpy() if "currency" in deals else None
    return currency.open_sums(codes, labels, amount, points, rates, open_at)


def unconverted_deals(deals: pd.DataFrame, periods: Periods, rates: Rates | None) -> pd.DataFrame:
    """The deal amounts the money KPIs of `periods` left out for want of a rate (`currency.UNCONVERTED_COLUMNS`):
    kind `won` = deals won in P with no rate on their close date (by the month of that date); kind `pipeline`
    = deals open at the end of P in a currency with no rate on P's last day (by that day's month)."""
    status = deals["status"].to_numpy()
    closed_idx = periods.index_of(_f(deals, "closed"))
    won = deals[(status == "won") & (closed_idx >= 0)]
    parts = [currency.unconverted(won, "closed", rates, "won")]
    points = periods.effective_end_s
    _, missing = pipeline_sums(deals, np.zeros(len(deals), dtype="int64"), 1, points, rates)
    months = [currency.month_start(d) for d in currency.day_numbers(points - 1.0)]
    rows = [
        ("pipeline", code, months[i], int(count[0, i]), round(float(amount[0, i]), 2))
        for code, (amount, count) in missing.items()
        for i in range(len(points))
        if count[0, i] > 0
    ]
    parts.append(pd.DataFrame(rows, columns=currency.UNCONVERTED_COLUMNS))
    return currency.add_unconverted(parts)


def inventory_kpis(rows: pd.DataFrame, keys: Sequence, periods: Periods) -> pd.DataFrame:
    """Inventory KPIs per key and period.

    `rows`: key, partner_id, product_id, day (epoch s of the report date), on_hand, units_sold.
    - units_sold = Σ units_sold of rows dated in P; inventory_reports = distinct (partner, date) reports in P
    - on_hand_end = Σ over (partner, product) of the latest on_hand dated before E; NULL when nothing was ever
      reported before E
    - stockouts = (partner, product) pairs whose latest on_hand before E is 0; NULL like on_hand_end
    """
    shape = (len(keys), len(periods))
    rows = rows.sort_values(["partner_id", "product_id", "day"], kind="stable")
    codes = key_codes(rows["key"], keys)
    day, on_hand = _f(rows, "day"), _f(rows, "on_hand")
    same_series = (rows["partner_id"].to_numpy() == np.roll(rows["partner_id"].to_numpy(), -1)) & (
        rows["product_id"].to_numpy() == np.roll(rows["product_id"].to_numpy(), -1)
    )
    if len(same_series):
        same_series[-1] = False
    next_day = np.where(same_series, np.roll(day, -1), np.nan)
    ends = periods.effective_end_s
    positions = interval_sum(codes, day, next_day, None, ends, len(keys))
    known = positions > 0
    on_hand_end = np.where(known, interval_sum(codes, day, next_day, on_hand, ends, len(keys)), np.nan)
    stockouts = np.where(
        known, interval_sum(codes, day, next_day, (on_hand == 0).astype(float), ends, len(keys)), np.nan
    )
    idx = periods.index_of(day)
    reports = rows.assign(_code=codes, _idx=idx).drop_duplicates(["_code", "partner_id", "day"])
    return to_frame(
        {
            "units_sold": bin_sum(codes, idx, _f(rows, "units_sold"), shape),
            "inventory_reports": bin_sum(reports["_code"].to_numpy(), reports["_idx"].to_numpy(), None, shape),
            "on_hand_end": on_hand_end,
            "stockouts": stockouts,
        },
        keys,
        len(periods),
    )


def calendar_month(seconds: np.ndarray) -> np.ndarray:
    """The calendar month (year × 12 + month, UTC) of each epoch-seconds time; NaN stays NaN."""
    times = pd.to_datetime(np.asarray(seconds, dtype="float64"), unit="s", utc=True)
    return np.asarray(times.year * 12 + times.month, dtype="float64")


def claims_with_units(claims: pd.DataFrame, inventory: pd.DataFrame, by: Sequence[str] = ("key",)) -> np.ndarray:
    """Whether each claim was submitted in a calendar month in which the same partner reported units sold
    (`by`: the columns naming "the same", e.g. partner and product line).

    Only these claims count in claims per 1,000 units: a service partner that files claims but sells nothing
    reports no units to divide them by. Decided per calendar month, so quarters and years add up their months.
    """
    if not len(claims):
        return np.zeros(0, dtype=bool)
    sold = inventory[inventory["units_sold"].to_numpy(dtype="float64") > 0]
    sold_keys = pd.MultiIndex.from_arrays([*(sold[c].to_numpy() for c in by), calendar_month(_f(sold, "day"))])
    claim_keys = pd.MultiIndex.from_arrays(
        [*(claims[c].to_numpy() for c in by), calendar_month(_f(claims, "submitted"))]
    )
    return np.asarray(claim_keys.isin(sold_keys), dtype=bool)


def claim_kpis(claims: pd.DataFrame, keys: Sequence, periods: Periods) -> pd.DataFrame:
    """Warranty claim KPIs per key and period.

    `claims`: key, submitted, decided (epoch s), status, and `with_units` (`claims_with_units`; when the column
    is absent no claim counts as filed beside units sold).
    - claims_submitted = claims with submitted_at in P
    - claims_with_units = those of them submitted in a month in which the partner reported units sold
    - claims_approved / claims_rejected = claims decided in P, by decision (approved or since paid → approved)
    - claim_resolution_days_total = Σ (decided − submitted) over those decisions (in ms)
    """
    shape = (len(keys), len(periods))
    codes = key_codes(claims["key"], keys)
    submitted, decided = _f(claims, "submitted"), _f(claims, "decided")
    status = claims["status"].to_numpy()
    approved = np.isin(status, APPROVED_CLAIM_STATUSES) & ~np.isnan(decided)
    rejected = (status == "rejected") & ~np.isnan(decided)
    dec_idx = periods.index_of(decided)
    decided_mask = approved | rejected
    sub_idx = periods.index_of(submitted)
    with_units = (
        claims["with_units"].to_numpy(dtype=bool) if "with_units" in claims else np.zeros(len(claims), dtype=bool)
    )
    return to_frame(
        {
            "claims_submitted": bin_sum(codes, sub_idx, None, shape),
            "claims_with_units": bin_sum(codes[with_units], sub_idx[with_units], None, shape),
            "claims_approved": bin_sum(codes[approved], dec_idx[approved], None, shape),
            "claims_rejected": bin_sum(codes[rejected], dec_idx[rejected], None, shape),
            "claim_resolution_days_total": bin_sum(
                codes[decided_mask], dec_idx[decided_mask], _ms(decided - submitted)[decided_mask], shape
            ),
        },
        keys,
        len(periods),
    )


def failure_code_counts(claims: pd.DataFrame, partners: pd.DataFrame, periods: Periods) -> pd.DataFrame:
    """Warranty claims per failure code and period, for each group of partners and product line.

    `claims`: partner_id, submitted (epoch s), status, product_line_id, failure_code_id; `partners`:
    partner_id, region_id, tier_id, partner_type. A group is FAILURE_GROUP (region, tier — empty for
    untiered partners —, type, product line, failure code).
    - claims_submitted = claims with submitted_at in P
    - claims_approved = those of them whose status is now approved or paid
    One row per group and period with at least one claim: FAILURE_GROUP, period (index in `periods`), counts.
    """
    period = periods.index_of(_f(claims, "submitted"))
    frame = claims.assign(period=period)[period >= 0]
    attributes = partners[["partner_id", "region_id", "tier_id", "partner_type"]]
    frame = frame.merge(attributes, on="partner_id", how="inner")
    frame = frame.assign(approved=frame["status"].isin(APPROVED_CLAIM_STATUSES).astype("int64"))
    grouped = frame.groupby([*FAILURE_GROUP, "period"], dropna=False, sort=True)
    out = grouped.agg(claims_submitted=("period", "size"), claims_approved=("approved", "sum")).reset_index()
    return out.astype({"claims_submitted": "int64", "claims_approved": "int64"})


def line_revenue(
    by_line: pd.DataFrame, partners: pd.DataFrame, periods: Periods, rates: Rates | None = None
) -> pd.DataFrame:
    """Won revenue per group of partners, product line and period (`LineRevenue`).

    `by_line`: one row per registration and product line it contains (partner_id, status, closed in epoch s,
    amount = Σ quantity × unit price of its lines of that line); `partners`: partner_id, region_id, tier_id,
    partner_type. won_revenue = Σ amount of the registrations won with closed_at in P, per LINE_REVENUE_GROUP
    (region, tier — empty for untiered partners —, type, product line): the product-line KPI's won revenue
    split by the partners' groups, so the groups of a product line add up to its ecosystem figure.
    Amounts are in the reporting currency at the rate of the close date; a line with no rate is left out.
    One row per group and period with a won deal: LINE_REVENUE_GROUP, period (index in `periods`), won_revenue.
    """
    won = by_line[(by_line["status"] == "won").to_numpy()]
    won = won.assign(amount=currency.converted(won, "closed", rates))
    period = periods.index_of(_f(won, "closed"))
    frame = won.assign(period=period)[(period >= 0) & won["amount"].notna().to_numpy()]
    frame = frame.merge(partners[["partner_id", "region_id", "tier_id", "partner_type"]], on="partner_id", how="inner")
    grouped = frame.groupby([*LINE_REVENUE_GROUP, "period"], dropna=False, sort=True)["amount"].sum()
    return grouped.reset_index().rename(columns={"amount": "won_revenue"})


def add_failure_counts(parts: list[pd.DataFrame], mapping: np.ndarray | None = None) -> pd.DataFrame:
    """Add up failure code counts of several partner chunks, and (with `mapping`, month → quarter or year
    index, -1 for none) roll months up into longer periods: counts simply add."""
    columns = [*FAILURE_GROUP, "period", *FAILURE_COUNTS]
    frames = [p for p in parts if not p.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    stacked = pd.concat(frames, ignore_index=True)
    if mapping is not None:
        stacked["period"] = mapping[stacked["period"].to_numpy(dtype="int64")]
        stacked = stacked[stacked["period"] >= 0]
    grouped = stacked.groupby([*FAILURE_GROUP, "period"], dropna=False, sort=True)[FAILURE_COUNTS].sum()
    return grouped.reset_index()[columns]


def certification_kpis(certs: pd.DataFrame, keys: Sequence, periods: Periods) -> pd.DataFrame:
    """active_certifications = certifications valid on the last day of P (today while P runs).

    `certs`: key, earned, expires (epoch s of the dates; expires NaN = never). Valid on a day d when
    earned_on ≤ d and (no expiry or expires_on > d) — the rule of `Certification.valid_on`.
    """
    last_day = np.ceil(periods.effective_end_s / DAY) * DAY - DAY
    codes = key_codes(certs["key"], keys)
    earned, expires = _f(certs, "earned"), _f(certs, "expires")
    # valid at d ⇔ earned ≤ d < expires ⇔ earned − 1 s < d ≤ expires − 1 s (dates are whole days).
    counts = interval_sum(codes, earned - 1.0, expires - 1.0, None, last_day, len(keys))
    return to_frame({"active_certifications": counts}, keys, len(periods))


TICKET_COLUMNS = ("key", "opened", "resolved", "reopened", "breached")


def no_tickets() -> pd.DataFrame:
    """An empty ticket frame (for callers that have no ticket rows to give)."""
    return pd.DataFrame({name: pd.Series(dtype="float64") for name in TICKET_COLUMNS})


def ticket_kpis(tickets: pd.DataFrame, keys: Sequence, periods: Periods) -> pd.DataFrame:
    """Support ticket KPIs per key and period.

    `tickets`: key, opened, resolved (epoch s; resolved NaN while not resolved now), reopened (bool: reopened at
    least once), breached (bool: a first-response or resolution target missed).
    - tickets_opened = tickets with opened_at in P
    - tickets_resolved = tickets whose (latest) resolved_at is in P; tickets_reopened / tickets_breached = those of
      them reopened at least once / that missed a target
    - ticket_resolution_days_total = Σ (resolved − opened) over them (in ms)
    - ticket_resolution_hours_median = median of (resolved − opened) in hours over them
    """
    shape = (len(keys), len(periods))
    codes = key_codes(tickets["key"], keys)
    opened, resolved = _f(tickets, "opened"), _f(tickets, "resolved")
    reopened = tickets["reopened"].to_numpy(dtype=bool)
    breached = tickets["breached"].to_numpy(dtype=bool)
    res_idx = periods.index_of(resolved)
    done = ~np.isnan(resolved)
    return to_frame(
        {
            "tickets_opened": bin_sum(codes, periods.index_of(opened), None, shape),
            "tickets_resolved": bin_sum(codes[done], res_idx[done], None, shape),
            "tickets_reopened": bin_sum(codes[done & reopened], res_idx[done & reopened], None, shape),
            "tickets_breached": bin_sum(codes[done & breached], res_idx[done & breached], None, shape),
            "ticket_resolution_days_total": bin_sum(codes[done], res_idx[done], _ms(resolved - opened)[done], shape),
            "ticket_resolution_hours_median": bin_median(codes, res_idx, (resolved - opened) / HOUR, shape),
        },
        keys,
        len(periods),
    )


def ticket_medians(tickets: pd.DataFrame, keys: Sequence, periods: Periods) -> pd.DataFrame:
    """ticket_resolution_hours_median computed directly over longer periods or groups (not from months)."""
    codes = key_codes(tickets["key"], keys)
    resolved = _f(tickets, "resolved")
    hours = (resolved - _f(tickets, "opened")) / HOUR
    values = bin_median(codes, periods.index_of(resolved), hours, (len(keys), len(periods)))
    return to_frame({"ticket_resolution_hours_median": values}, keys, len(periods))


# --- rates, roll-ups and groups ----------------------------------------------------------------


def _ratio(num: np.ndarray | pd.Series, den: np.ndarray | pd.Series, scale: float = 1.0) -> np.ndarray:
    """num / den, NULL (NaN) when the denominator is 0 or empty: "empty when none".

    On plain arrays: the frames share one index, and pandas' alignment on every operation cost more
    than the arithmetic (most of a one-partner refresh).
    """
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, scale * num / den, np.nan)


def derive_rates(frame: pd.DataFrame, days: np.ndarray, *, per_day: float = MS_PER_DAY) -> pd.DataFrame:
    """The ratio KPIs of DESIGN §3, always from the counts of the same scope and period.

    approval_rate = approved / (approved + rejected); win_rate = won / (won + lost); avg_won_deal =
    won_revenue / deals_won; sales_cycle_days = mean (close − submission) of won deals; conflict_rate =
    conflicting / registered; sell_through = units_sold / (units_sold + on_hand_end); days_of_cover =
    on_hand_end / (units_sold / days in P), computed as on_hand_end × days / units_sold, empty when nothing
    sold; claim_approval_rate = approved / (approved + rejected) claims; claim_resolution_days = mean (decision
    − submission) of decided claims; claims_per_1000_units = 1000 × claims_with_units / units_sold (the claims
    submitted in months in which the partner reported units sold: see `claims_with_units`); returns_rate =
    sellout_units_returned / sellout_units_sold (returned units over units on sale and drop-ship lines);
    ticket_resolution_hours = mean (resolved − opened) in hours of the tickets resolved; ticket_reopen_rate =
    reopened / resolved tickets; ticket_sla_breach_rate = breached / resolved tickets. Empty (NaN) whenever the
    denominator is 0.

    `frame` is indexed by (key, period) and `days` holds each period's length in days. `per_day` is how many
    units of the `*_total` duration columns make a day: milliseconds inside the engine (summed exactly), days
    in the stored rows that readers add up.
    """
    f = frame.copy()
    # Money is summed from cents, so rounding to cents gives the same figure whatever the order of addition.
    f["won_revenue"] = f["won_revenue"].round(2)
    f["pipeline_value"] = f["pipeline_value"].round(2)
    f["sellout_revenue"] = f["sellout_revenue"].round(2)

    def col(name: str) -> np.ndarray:
        return f[name].to_numpy(dtype="float64", na_value=np.nan)

    period_days = np.asarray(days, dtype="float64")[f.index.get_level_values("period").to_numpy()]
    on_hand_end = col("on_hand_end")
    on_hand = np.nan_to_num(on_hand_end, nan=0.0)
    units_sold, won = col("units_sold"), col("deals_won")
    f["approval_rate"] = _ratio(col("deals_approved"), col("deals_approved") + col("deals_rejected"))
    f["win_rate"] = _ratio(won, won + col("deals_lost"))
    f["avg_won_deal"] = _ratio(col("won_revenue"), won)
    f["sales_cycle_days"] = _ratio(col("sales_cycle_days_total") / per_day, won)
    f["conflict_rate"] = _ratio(col("deals_conflicting"), col("deals_registered"))
    f["sell_through"] = _ratio(units_sold, units_sold + on_hand)
    # on_hand × days / units rather than on_hand / (units / days): exact whenever the true value is
    # (22 on hand after 33 sold in 90 days is 60, not 60.00000000000001). Empty when nothing sold.
    cover = np.where(period_days > 0, _ratio(on_hand * period_days, units_sold), np.nan)
    f["days_of_cover"] = np.where(np.isnan(on_hand_end), np.nan, cover)
    decided = col("claims_approved") + col("claims_rejected")
    f["claim_approval_rate"] = _ratio(col("claims_approved"), decided)
    f["claim_resolution_days"] = _ratio(col("claim_resolution_days_total") / per_day, decided)
    f["claims_per_1000_units"] = _ratio(col("claims_with_units"), units_sold, scale=1000.0)
    f["returns_rate"] = _ratio(col("sellout_units_returned"), col("sellout_units_sold"))
    resolved = col("tickets_resolved")
    f["ticket_resolution_hours"] = _ratio(col("ticket_resolution_days_total") / per_day * 24.0, resolved)
    f["ticket_reopen_rate"] = _ratio(col("tickets_reopened"), resolved)
    f["ticket_sla_breach_rate"] = _ratio(col("tickets_breached"), resolved)
    return f[list(KPI_COLUMNS) + [c for c in f.columns if c not in KPI_COLUMNS]]


def compute_kpis(
    deals: pd.DataFrame,
    inventory: pd.DataFrame,
    claims: pd.DataFrame,
    certs: pd.DataFrame,
    keys: Sequence,
    periods: Periods,
    rates: Rates | None = None,
    sellout: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    tickets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every KPI column for each key and period (rates derived; money in the reporting currency by `rates`).
    `sellout` and `customers` are the sell-out frames of `sellout_kpis` (None: no sell-out lines); their amounts
    are converted when loaded. No `tickets`: no support tickets."""
    parts = [
        deal_kpis(deals, keys, periods, rates),
        inventory_kpis(inventory, keys, periods),
        claim_kpis(claims.assign(with_units=claims_with_units(claims, inventory)), keys, periods),
        certification_kpis(certs, keys, periods),
        sellout_kpis.sellout_kpis(sellout_kpis.empty_lines() if sellout is None else sellout, keys, periods),
        sellout_kpis.end_customer_kpis(
            sellout_kpis.empty_customers() if customers is None else customers, keys, periods
        ),
        ticket_kpis(no_tickets() if tickets is None else tickets, keys, periods),
    ]
    return derive_rates(pd.concat(parts, axis=1), periods.days)


def to_date_kpis(
    monthly: pd.DataFrame,
    months: Periods,
    raw: tuple[pd.DataFrame, ...],
    keys: Sequence,
    targets: Sequence[Periods],
    rates: Rates | None = None,
) -> list[pd.DataFrame]:
    """KPIs of ranges that start on a month's first day and end on any day (the like-for-like comparisons of
    periods in progress, `periods.to_date_periods`), one frame per Periods of `targets`.

    Whole months are added up from `monthly` (computed over `months`); only each range's last, partial month
    is computed from the `raw` rows (deals, inventory, claims, certifications, and optionally sell-out lines,
    their end customers and support tickets), and the partial months of every target in as few passes as do
    not overlap (usually one: they are different calendar months), so the comparisons cost about one more
    monthly computation, not one per range. Positions are those at the range's end; the medians are left
    empty (a median does not add up); distinct end customers are counted over each whole range from the lines
    (empty without them).
    """
    deals, inventory, claims, certs, *more = raw
    sellout, customers, tickets = (more + [None, None, None])[:3]
    cuts = sorted({((end - timedelta(days=1)).replace(day=1), end) for target in targets for end in target.ends})
    passes: list[list[tuple[date, date]]] = []
    for cut in cuts:
        group = next((g for g in passes if g[-1][1] <= cut[0]), None)
        if group is None:
            passes.append([cut])
        else:
            group.append(cut)
    partial: dict[tuple[date, date], pd.DataFrame] = {}
    for group in passes:
        periods = Periods("month", tuple(s for s, _ in group), tuple(e for _, e in group), months.now)
        frame = compute_kpis(deals, inventory, claims, certs, keys, periods, rates, sellout, customers, tickets)
        for i, cut in enumerate(group):
            partial[cut] = frame.xs(i, level="period")
    position = {month: i for i, month in enumerate(months.starts)}
    stored = SUM_COLUMNS + STOCK_COLUMNS + RECOMPUTED_COLUMNS
    out = []
    for target in targets:
        parts = []
        for j, (start, end) in enumerate(zip(target.starts, target.ends, strict=True)):
            cut_start = (end - timedelta(days=1)).replace(day=1)
            part = partial[(cut_start, end)][stored].copy()
            whole = [position[m] for m in months.starts if start <= m < cut_start]
            if whole:
                sums = monthly.loc[pd.IndexSlice[:, whole], SUM_COLUMNS].groupby(level="key").sum()
                part[SUM_COLUMNS] = part[SUM_COLUMNS] + sums.reindex(part.index, fill_value=0)
            part[MEDIAN_COLUMNS] = np.nan
            part.index = pd.MultiIndex.from_arrays(
                [part.index, np.full(len(part), j, dtype="int64")], names=["key", "period"]
            )
            parts.append(part)
        frame = pd.concat(parts).sort_index()
        if customers is not None:
            # Distinct end customers of each whole range, from the lines (they do not add up over months).
            distinct = sellout_kpis.end_customers_over(
                customers, keys, target.starts, target.ends, months.now, target.granularity
            )
            frame[DISTINCT_COLUMNS] = distinct[DISTINCT_COLUMNS].reindex(frame.index)
        else:
            frame[DISTINCT_COLUMNS] = np.nan
        out.append(derive_rates(frame, target.days))
    return out


def decision_medians(deals: pd.DataFrame, keys: Sequence, periods: Periods) -> pd.DataFrame:
    """median_hours_to_decision computed directly over longer periods (a median of medians is not a median)."""
    codes = key_codes(deals["key"], keys)
    hours = (_f(deals, "decided") - _f(deals, "submitted")) / HOUR
    values = bin_median(codes, periods.index_of(_f(deals, "decided")), hours, (len(keys), len(periods)))
    return to_frame({"median_hours_to_decision": values}, keys, len(periods))


def recomputed_columns(
    deals: pd.DataFrame,
    customers: pd.DataFrame,
    keys: Sequence,
    periods: Periods,
    tickets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The columns that do not add up (RECOMPUTED_COLUMNS), from the raw rows over `periods` themselves: the
    median time to decision, the median time to resolve a ticket, and the distinct end customers
    (`sellout_kpis.end_customer_kpis`)."""
    return (
        decision_medians(deals, keys, periods)
        .join(ticket_medians(no_tickets() if tickets is None else tickets, keys, periods))
        .join(sellout_kpis.end_customer_kpis(customers, keys, periods))
    )


def roll_up(monthly: pd.DataFrame, mapping: np.ndarray, target: Periods, medians: pd.DataFrame | None) -> pd.DataFrame:
    """Quarters or years from months: counts and amounts add up, positions are the last month's, rates are
    rebuilt from the summed counts, and medians and distinct counts come from `medians` (computed over the
    longer period from the raw rows; a column it lacks is empty)."""
    flat = monthly.reset_index()
    flat["target"] = mapping[flat["period"].to_numpy()]
    flat = flat[flat["target"] >= 0].sort_values(["key", "period"])
    grouped = flat.groupby(["key", "target"], sort=True)
    out = grouped[SUM_COLUMNS].sum()
    stock = [c for c in STOCK_COLUMNS + ["member_count"] if c in flat]
    last_month = flat.drop_duplicates(["key", "target"], keep="last").set_index(["key", "target"])[stock]
    out = out.join(last_month)
    out.index = out.index.set_names(["key", "period"])
    given = [c for c in RECOMPUTED_COLUMNS if medians is not None and c in medians]
    if given:
        out = out.join(medians[given])
    for column in RECOMPUTED_COLUMNS:
        if column not in given:
            out[column] = np.nan
    return derive_rates(out, target.days)


def group_totals(partner_rows: pd.DataFrame, group_of: pd.Series) -> pd.DataFrame:
    """Add partner rows up into groups (the ecosystem, a tier, …): the same formulas over all the rows.

    `group_of` maps a partner key to its group key. Counts, amounts and positions are summed
    (a position stays empty only if it is empty for every member); `member_count` counts partners;
    rates and medians are left for the caller (medians need the raw values).
    """
    flat = partner_rows.reset_index()
    flat["group"] = flat["key"].map(group_of)
    flat = flat[flat["group"].notna()]
    grouped = flat.groupby(["group", "period"], sort=True)
    out = grouped[SUM_COLUMNS].sum()
    out = out.join(grouped[STOCK_COLUMNS].sum(min_count=1))
    out["member_count"] = grouped["key"].nunique()
    out.index = out.index.set_names(["key", "period"])
    return out


def combine_totals(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Merge totals computed on separate partner chunks (the chord's partial results): counts and amounts add
    up, positions add up but stay empty only where every part is empty."""
    if not parts:
        return pd.DataFrame(columns=SUM_COLUMNS + STOCK_COLUMNS + ["member_count"])
    stacked = pd.concat(parts)
    grouped = stacked.groupby(level=["key", "period"], sort=True)
    additive = [c for c in [*SUM_COLUMNS, "member_count"] if c in stacked]
    stock = [c for c in STOCK_COLUMNS if c in stacked]
    return grouped[additive].sum().join(grouped[stock].sum(min_count=1))
