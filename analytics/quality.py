"""Data-quality scores per partner and month (pure: pandas in, pandas out, no ORM; docs/data-quality.md).

`expected_reports` lays each program's reporting calendar over the months and matches the reports that
arrived; `quality_scores` adds the field fill, the sell-out/stock consistency and the duplicates and
corrections, and turns them into four components and a 0–100 score. `quality_loaders` reads the frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from .definitions import QUALITY_COMPONENTS, QUALITY_STREAMS, SCORE_DECIMALS

STREAMS = tuple(QUALITY_STREAMS)
# At most this many inconsistent products are kept per partner and month (the worst first).
MAX_FINDINGS = 20
REASONS = {
    "timeliness": "no report was due this month",
    "completeness": "no report was due and no sell-out line was reported",
    "consistency": "sell-out and stock were not both reported this month",
    "duplicates": "nothing was reported this month",
}


def month_start(day: date) -> date:
    return day.replace(day=1)


def period_start(day: date, frequency: str) -> date:
    """The first day of the reporting period holding `day`: its month, or its week (Monday)."""
    return month_start(day) if frequency == "monthly" else day - timedelta(days=day.weekday())


def calendar_periods(frequency: str, first: date, last: date) -> list[tuple[date, date]]:
    """(first day, last day) of every period of `frequency` whose last day falls in [first, last]."""
    out: list[tuple[date, date]] = []
    if frequency == "monthly":
        start = month_start(first)
        while start <= last:
            end = start + relativedelta(months=1) - timedelta(days=1)
            if first <= end <= last:
                out.append((start, end))
            start += relativedelta(months=1)
    elif frequency == "weekly":
        start = period_start(first, "weekly")
        while start <= last:
            end = start + timedelta(days=6)
            if first <= end <= last:
                out.append((start, end))
            start += timedelta(days=7)
    return out


def expected_reports(
    partners: pd.DataFrame, reports: dict[str, pd.DataFrame], months: Sequence[date], now: datetime
) -> pd.DataFrame:
    """Every report a partner owed, per stream, with whether and when it arrived.

    `partners`: partner_id, owed_from (the first day reports are owed), and per stream `<stream>_frequency`
    (none | weekly | monthly) and `<stream>_due_days`. `reports[stream]`: partner_id, day, first_created (the
    earliest moment a row dated that day arrived; a day's rows of many products are one report).
    A period [first, last] is owed when it starts on or after owed_from, its last day falls in one of `months`
    (the month it counts in) and its due date (last + due_days) is before today: a report not yet due is not
    expected. It is received when any report is dated inside it; received_at = the earliest arrival; lag_days =
    received date − due date; on time when lag_days ≤ 0.
    """
    columns = ["partner_id", "stream", "month", "period_start", "period_end", "due", "received_at", "lag_days"]
    if partners.empty or not len(months):
        return pd.DataFrame(columns=columns)
    first, last = months[0], months[-1] + relativedelta(months=1) - timedelta(days=1)
    today = now.date()
    frames = []
    for stream in STREAMS:
        calendars = partners.groupby([f"{stream}_frequency", f"{stream}_due_days"], sort=True)
        arrived = reports[stream]
        for (frequency, due_days), group in calendars:
            periods = [
                (start, end, end + timedelta(days=int(due_days)))
                for start, end in calendar_periods(frequency, first, last)
                if end + timedelta(days=int(due_days)) < today
            ]
            if not periods:
                continue
            table = pd.DataFrame(periods, columns=["period_start", "period_end", "due"])
            owed = group[["partner_id", "owed_from"]].merge(table, how="cross")
            owed = owed[owed["period_start"] >= owed["owed_from"]].drop(columns=["owed_from"])
            mine = arrived[arrived["partner_id"].isin(group["partner_id"])]
            if len(mine):
                mine = mine.assign(period_start=[period_start(d, frequency) for d in mine["day"]])
                firsts = mine.groupby(["partner_id", "period_start"], as_index=False)["first_created"].min()
            else:
                firsts = pd.DataFrame(columns=["partner_id", "period_start", "first_created"])
            owed = owed.merge(firsts, on=["partner_id", "period_start"], how="left")
            frames.append(owed.assign(stream=stream).rename(columns={"first_created": "received_at"}))
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    out["month"] = [month_start(d) for d in out["period_end"]]
    out["lag_days"] = [
        np.nan if pd.isna(r) else float((pd.Timestamp(r).date() - d).days)
        for r, d in zip(out["received_at"], out["due"], strict=True)
    ]
    return out[columns].sort_values(["partner_id", "stream", "period_start"], ignore_index=True)


def consistency_checks(sellout_units: pd.DataFrame, stock_units: pd.DataFrame, tolerance: pd.Series) -> pd.DataFrame:
    """Per partner, month and product: sell-out units against the stock reports' units sold.

    Inputs have partner_id, product_id, month, units (sell-out: Σ sign × quantity, returns negative, transfers
    0; stock: Σ units_sold dated in the month). Only months in which the partner sent both kinds are checked;
    there every product found in either counts (a missing side is 0). A product agrees when
    |sell-out − stock| ≤ tolerance × max(|sell-out|, |stock|); `tolerance` (a fraction) is per partner.
    """
    keys = ["partner_id", "month"]
    both = sellout_units[keys].drop_duplicates().merge(stock_units[keys].drop_duplicates(), on=keys)
    merged = (
        sellout_units.rename(columns={"units": "sellout_units"})
        .merge(stock_units.rename(columns={"units": "stock_units"}), on=[*keys, "product_id"], how="outer")
        .merge(both, on=keys)
    )
    merged[["sellout_units", "stock_units"]] = merged[["sellout_units", "stock_units"]].fillna(0).astype("int64")
    gap = (merged["sellout_units"] - merged["stock_units"]).abs()
    scale = np.maximum(merged["sellout_units"].abs(), merged["stock_units"].abs())
    allowed = merged["partner_id"].map(tolerance).fillna(0.0).to_numpy() * scale
    # Whole units and a tolerance in percent: compare on integers × 100 so that 10 % of 10 is exactly 1.
    merged["consistent"] = (gap * 100).to_numpy() <= np.round(allowed * 100, 6)
    merged["gap"] = gap
    return merged


def _ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100.0 * part / whole.where(whole > 0)).astype("float64")


def score_components(frame: pd.DataFrame) -> pd.DataFrame:
    """Components, weights and score from the per-month facts (the formulas of `DataQualityScore`).

    score = Σ weight × component over the components present, the weights (QUALITY_COMPONENTS) divided by
    their sum over those components; rounded to SCORE_DECIMALS; empty when no component is present.
    """
    f = frame.copy()
    expected = f["stock_expected"] + f["sellout_expected"]
    f["timeliness"] = _ratio(f["stock_on_time"] + f["sellout_on_time"], expected)
    parts = pd.concat(
        [_ratio(f["stock_received"] + f["sellout_received"], expected), _ratio(f["fields_filled"], f["field_slots"])],
        axis=1,
    )
    f["completeness"] = parts.mean(axis=1, skipna=True)
    f["consistency"] = _ratio(f["products_consistent"], f["products_checked"])
    issues = f["corrections"] + f["stock_resends"] + f["duplicate_claims"]
    f["duplicates"] = (100.0 - _ratio(issues, f["records"])).clip(lower=0.0)
    weights, reasons, scores = [], [], []
    names = list(QUALITY_COMPONENTS)
    values = f[names].to_numpy(dtype="float64")
    base = np.array([QUALITY_COMPONENTS[n][1] for n in names])
    for row in values:
        present = ~np.isnan(row)
        total = float(base[present].sum())
        if total <= 0:
            weights.append({})
            scores.append(np.nan)
        else:
            used = base * present / total
            weights.append({n: round(float(w), 6) for n, w, p in zip(names, used, present, strict=True) if p})
            scores.append(round(float(np.nansum(row * used)), SCORE_DECIMALS))
        reasons.append({n: REASONS[n] for n, p in zip(names, present, strict=True) if not p})
    f["weights"], f["reasons"], f["score"] = weights, reasons, scores
    return f


def quality_scores(
    partners: pd.DataFrame,
    reports: dict[str, pd.DataFrame],
    fields: pd.DataFrame,
    sellout_units: pd.DataFrame,
    stock_units: pd.DataFrame,
    issues: pd.DataFrame,
    skus: dict[int, str],
    months: Sequence[date],
    now: datetime,
    balances: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """One row per partner and month with something to measure: the facts, components, score and findings.

    `balances`: the X12 852 balance checks (partner_id, month, balance_checked) and their exceptions
    (partner_id, month, product_id, period_end, difference): each check counts in consistency as one more
    product checked, consistent unless it is an exception.

    `partners` as for `expected_reports` plus `tolerance` (a fraction); `fields`: partner_id, month, field_slots,
    fields_filled; `issues`: partner_id, month, records, corrections, stock_resends, duplicate_claims (missing
    rows are zeros). Findings: the late and missing reports, and the inconsistent products (worst first).
    """
    keys = ["partner_id", "month"]
    month_set = set(months)
    owed = expected_reports(partners, reports, months, now)
    owed["received"] = owed["received_at"].notna()
    owed["on_time"] = owed["received"] & (owed["lag_days"] <= 0)
    counts = owed.groupby([*keys, "stream"]).agg(
        expected=("due", "size"), received=("received", "sum"), on_time=("on_time", "sum")
    )
    counts = counts.unstack("stream", fill_value=0)
    counts.columns = [f"{stream}_{measure}" for measure, stream in counts.columns]
    checks = consistency_checks(sellout_units, stock_units, partners.set_index("partner_id")["tolerance"])
    checks = checks[checks["month"].isin(month_set)]
    consistent = checks.groupby(keys).agg(
        products_checked=("consistent", "size"), products_consistent=("consistent", "sum")
    )
    exceptions = pd.DataFrame(columns=[*keys, "product_id", "period_end", "difference"])
    if balances is not None and len(balances[0]):
        checked, exceptions = balances
        counted = checked.set_index(keys)["balance_checked"]
        wrong = exceptions.groupby(keys).size() if len(exceptions) else pd.Series(dtype="int64")
        extra = pd.DataFrame({"products_checked": counted, "products_consistent": counted.sub(wrong, fill_value=0)})
        consistent = consistent.add(extra, fill_value=0) if len(consistent) else extra
    frames = [counts, fields.set_index(keys), consistent, issues.set_index(keys)]
    present = [f for f in frames if len(f)]
    empty = pd.MultiIndex.from_arrays([[], []], names=keys)
    facts = pd.concat(present, axis=1) if present else pd.DataFrame(index=empty)
    numbers = [f"{s}_{m}" for s in STREAMS for m in ("expected", "received", "on_time")] + [
        "field_slots",
        "fields_filled",
        "products_checked",
        "products_consistent",
        "records",
        "corrections",
        "stock_resends",
        "duplicate_claims",
    ]
    facts = facts.reindex(columns=numbers).fillna(0).astype("int64").reset_index()
    facts = facts[facts["month"].isin(month_set) & facts["partner_id"].isin(partners["partner_id"])]
    scored = score_components(facts)
    scored = scored[scored["score"].notna()].reset_index(drop=True)
    if scored.empty:
        return scored.assign(findings=[])
    scored["findings"] = _findings(scored, owed, checks, skus, exceptions)
    return scored


def _findings(
    scored: pd.DataFrame, owed: pd.DataFrame, checks: pd.DataFrame, skus: dict[int, str], exceptions: pd.DataFrame
) -> list[dict]:
    late = owed[owed["received"] & ~owed["on_time"]]
    missing = owed[~owed["received"]]
    bad = checks[~checks["consistent"]].sort_values(["gap", "product_id"], ascending=[False, True])

    def by_key(frame: pd.DataFrame) -> dict:
        return dict(iter(frame.groupby(["partner_id", "month"]))) if len(frame) else {}

    late_by, missing_by, bad_by = by_key(late), by_key(missing), by_key(bad)
    balance_by = by_key(exceptions)
    out = []
    for partner_id, month in zip(scored["partner_id"], scored["month"], strict=True):
        key = (partner_id, month)
        out.append(
            {
                "late": [
                    {
                        "stream": r.stream,
                        "period_start": r.period_start.isoformat(),
                        "period_end": r.period_end.isoformat(),
                        "due": r.due.isoformat(),
                        "received": pd.Timestamp(r.received_at).date().isoformat(),
                        "lag_days": int(r.lag_days),
                    }
                    for r in late_by[key].itertuples()
                ]
                if key in late_by
                else [],
                "missing": [
                    {
                        "stream": r.stream,
                        "period_start": r.period_start.isoformat(),
                        "period_end": r.period_end.isoformat(),
                        "due": r.due.isoformat(),
                    }
                    for r in missing_by[key].itertuples()
                ]
                if key in missing_by
                else [],
                "inconsistent": [
                    {
                        "product_id": int(r.product_id),
                        "sku": skus.get(int(r.product_id), str(r.product_id)),
                        "sellout_units": int(r.sellout_units),
                        "stock_units": int(r.stock_units),
                    }
                    for r in bad_by[key].head(MAX_FINDINGS).itertuples()
                ]
                if key in bad_by
                else [],
                "balance": [
                    {
                        "product_id": int(r.product_id),
                        "sku": skus.get(int(r.product_id), str(r.product_id)),
                        "period_end": r.period_end.isoformat(),
                        "difference": int(r.difference),
                    }
                    for r in balance_by[key].head(MAX_FINDINGS).itertuples()
                ]
                if key in balance_by
                else [],
            }
        )
    return out


def health_input(scores: pd.DataFrame, points_date: Sequence[date]) -> pd.DataFrame:
    """The health component's input: per partner and as-of point, the score of the last complete month before it
    (the month before the as-of date's month). Columns partner_id, point, data_quality_score."""
    if scores.empty:
        return pd.DataFrame(columns=["partner_id", "point", "data_quality_score"])
    wanted = pd.DataFrame(
        {"point": range(len(points_date)), "month": [month_start(d) - relativedelta(months=1) for d in points_date]}
    )
    merged = scores[["partner_id", "month", "score"]].merge(wanted, on="month")
    return merged.rename(columns={"score": "data_quality_score"})[["partner_id", "point", "data_quality_score"]]
