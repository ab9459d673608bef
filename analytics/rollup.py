"""The ecosystem roll-up: add the chunks' totals up into ecosystem, tier, type, region and product-line rows,
their claims per failure code into `FailureCodeCount` rows and their sell-out per group, product line and
end-customer country into `LineSellOut` rows.

Counts and amounts from every chunk are summed (the same formulas over all rows,
never an average of partner rates), rates are rebuilt from the sums, and medians
come from the steps that saw the raw values. All these rows are replaced in one
transaction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import transaction

from . import kpis, sellout_kpis
from .compute import GROUPS, failure_counts_from_json, frame_from_json, kpi_rows, stale_kpis, unconverted_from_json
from .models import Dimension, FailureCodeCount, KpiSnapshot, LineRevenue, LineSellOut, UnconvertedAmount
from .periods import Window, seconds_to_datetime
from .writers import insert_frame


def _periods_rows(monthly: pd.DataFrame, medians: dict | None, window: Window, dimension: str) -> list[pd.DataFrame]:
    """Rows of every granularity from monthly totals (the median columns already set for months)."""
    now = seconds_to_datetime(window.now)
    member_count = dimension != Dimension.PRODUCT_LINE
    frames = []
    for granularity, (periods, mapping) in window.granularities().items():
        if mapping is None:
            frame = kpis.derive_rates(monthly, periods.days)
        else:
            median = frame_from_json(medians[granularity]) if medians and granularity in medians else None
            frame = kpis.roll_up(monthly, mapping, periods, median)
        if not member_count:
            frame["member_count"] = np.nan
        frames.append(kpi_rows(frame, periods, dimension, now, member_count=True))
    return frames


def _with_monthly_medians(monthly: pd.DataFrame, medians: dict | None) -> pd.DataFrame:
    """Monthly group totals with the columns that do not add up (median time to decision, distinct end
    customers) taken from the ecosystem step, which computed them from the raw rows."""
    out = monthly.copy()
    recomputed = frame_from_json(medians["month"]) if medians and "month" in medians else pd.DataFrame()
    for column in kpis.RECOMPUTED_COLUMNS:
        out[column] = recomputed.get(column, np.nan)
    return out


def _product_line_monthly(results: list[dict]) -> pd.DataFrame | None:
    deal_part = next((r for r in results if r.get("kind") == "ecosystem"), None)
    parts = [frame_from_json(r["line_totals"]) for r in results if r.get("kind") == "partners"]
    if deal_part is None:
        return None
    deals = frame_from_json(deal_part["line_deal_totals"])
    others = kpis.combine_totals([p for p in parts if not p.empty])
    monthly = deals.join(others.drop(columns=[c for c in others if c in deals]), how="left")
    for column in kpis.SUM_COLUMNS:
        monthly[column] = monthly[column].fillna(0.0) if column in monthly else 0.0
    for column in kpis.STOCK_COLUMNS:
        if column not in monthly:
            monthly[column] = np.nan
    monthly["active_certifications"] = monthly["active_certifications"].fillna(0.0)
    return monthly


def group_rows(results: list[dict], window: Window) -> pd.DataFrame:
    """Ecosystem, tier, type, region and product-line rows for every period of the window."""
    totals = [r["totals"] for r in results if r.get("kind") == "partners"]
    medians = next((r["medians"] for r in results if r.get("kind") == "ecosystem"), {})
    frames = []
    for dim in GROUPS:
        parts = [frame_from_json(t[dim]) for t in totals if t[dim]["data"]]
        monthly = kpis.combine_totals(parts)
        if monthly.empty:
            continue
        frames += _periods_rows(_with_monthly_medians(monthly, medians.get(dim)), medians.get(dim), window, dim)
    lines = _product_line_monthly(results)
    if lines is not None and not lines.empty:
        line_medians = next(r["line_medians"] for r in results if r.get("kind") == "ecosystem")
        frames += _periods_rows(
            _with_monthly_medians(lines, line_medians), line_medians, window, Dimension.PRODUCT_LINE
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def coverage(results: list[dict]) -> tuple[list[int], int]:
    """Per health point, the product lines with an active partner's registration or stock report in the
    trailing 90 days; and how many product lines there are."""
    matrices = [np.asarray(r["line_activity"], dtype="float64") for r in results if "line_activity" in r]
    matrices = [m for m in matrices if m.size]
    if not matrices:
        return [], 0
    total = np.sum(matrices, axis=0)
    return [int(c) for c in (total > 0).sum(axis=0)], int(total.shape[0])


def failure_code_rows(results: list[dict], window: Window) -> pd.DataFrame:
    """`FailureCodeCount` rows of every period of the window from the chunks' monthly counts."""
    parts = [failure_counts_from_json(r["failure_counts"]) for r in results if r.get("kind") == "partners"]
    monthly = kpis.add_failure_counts(parts)
    now = seconds_to_datetime(window.now)
    frames = []
    for granularity, (periods, mapping) in window.granularities().items():
        counts = monthly if mapping is None else kpis.add_failure_counts([monthly], mapping)
        if counts.empty:
            continue
        index = counts["period"].to_numpy(dtype="int64")
        rows = counts.drop(columns="period").assign(
            granularity=granularity,
            period_start=np.array(periods.starts, dtype=object)[index],
            period_end=np.array(periods.ends, dtype=object)[index],
            computed_at=now,
        )
        frames.append(rows)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def line_revenue_rows(results: list[dict], window: Window) -> pd.DataFrame:
    """`LineRevenue` rows of every period of the window, from the ecosystem step's sums per period."""
    part = next((r for r in results if r.get("kind") == "ecosystem"), None)
    if part is None:
        return pd.DataFrame()
    now = seconds_to_datetime(window.now)
    frames = []
    for granularity, (periods, _) in window.granularities().items():
        sums = failure_counts_from_json(part["line_revenue"][granularity])
        if sums.empty:
            continue
        index = sums["period"].to_numpy(dtype="int64")
        frames.append(
            sums.drop(columns="period").assign(
                granularity=granularity,
                period_start=np.array(periods.starts, dtype=object)[index],
                period_end=np.array(periods.ends, dtype=object)[index],
                computed_at=now,
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def unconverted_rows(results: list[dict], window: Window, run_id: int | None) -> pd.DataFrame:
    """`UnconvertedAmount` rows: the amounts the window's money figures left out for want of a rate, from the
    ecosystem step (it sees every registration)."""
    part = next((r for r in results if r.get("kind") == "ecosystem"), None)
    if part is None or "unconverted" not in part:
        return pd.DataFrame()
    frame = unconverted_from_json(part["unconverted"])
    if frame.empty:
        return frame
    return frame.assign(run_id=run_id, computed_at=seconds_to_datetime(window.now))


def sellout_group_rows(results: list[dict], window: Window) -> pd.DataFrame:
    """`LineSellOut` rows of every period of the window from the chunks' monthly sums (every measure adds up
    over chunks and months)."""
    parts = [failure_counts_from_json(r["sellout_groups"]) for r in results if r.get("kind") == "partners"]
    monthly = sellout_kpis.add_sellout_groups(parts)
    now = seconds_to_datetime(window.now)
    frames = []
    for granularity, (periods, mapping) in window.granularities().items():
        sums = monthly if mapping is None else sellout_kpis.add_sellout_groups([monthly], mapping)
        if sums.empty:
            continue
        index = sums["period"].to_numpy(dtype="int64")
        frames.append(
            sums.drop(columns="period").assign(
                granularity=granularity,
                period_start=np.array(periods.starts, dtype=object)[index],
                period_end=np.array(periods.ends, dtype=object)[index],
                computed_at=now,
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_group_rows(
    rows: pd.DataFrame,
    failures: pd.DataFrame,
    window: Window,
    lines: pd.DataFrame,
    unconverted: pd.DataFrame | None = None,
    sellout: pd.DataFrame | None = None,
) -> None:
    """Replace every group row, failure code count, product line revenue, sell-out group and report of
    unconverted amounts of the window's periods in one transaction."""
    with transaction.atomic():
        UnconvertedAmount.objects.filter(month__gte=window.months.starts[0]).delete()
        if unconverted is not None and not unconverted.empty:
            insert_frame(UnconvertedAmount, unconverted)
        KpiSnapshot.objects.filter(stale_kpis([*GROUPS, Dimension.PRODUCT_LINE], window)).delete()
        insert_frame(KpiSnapshot, rows)
        FailureCodeCount.objects.filter(period_start__gte=window.months.starts[0]).delete()
        insert_frame(FailureCodeCount, failures)
        LineRevenue.objects.filter(period_start__gte=window.months.starts[0]).delete()
        insert_frame(LineRevenue, lines)
        if sellout is not None:
            LineSellOut.objects.filter(period_start__gte=window.months.starts[0]).delete()
            insert_frame(LineSellOut, sellout)
