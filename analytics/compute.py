"""The steps of a recompute: load rows, run the pure functions, write the results.

A full recompute is: `compute_partner_chunk` for every chunk of partners,
`compute_product_lines` for groups of product lines and `compute_group_medians`
(all in parallel), then `finish_run` (ecosystem roll-up and health scores).
Each step writes its own rows in one transaction and can run again safely.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q

from . import kpis, loaders
from .definitions import HEALTH_INPUTS, KPI_COLUMNS
from .health import health_inputs, product_line_coverage
from .models import Dimension, HealthInput, JobRun, KpiSnapshot
from .periods import Periods, Window, seconds_to_datetime
from .writers import insert_frame

# Breakdown dimensions built from partner rows: dimension → partner attribute.
GROUPS = {
    Dimension.ECOSYSTEM: None,
    Dimension.TIER: "tier_id",
    Dimension.PARTNER_TYPE: "partner_type",
    Dimension.REGION: "region_id",
}


def group_keys(partners: pd.DataFrame, dimension: str) -> pd.Series:
    """Each partner's key in a breakdown ("" for the ecosystem; untiered partners have no tier row)."""
    column = GROUPS[dimension]
    index = partners["partner_id"].to_numpy()
    if column is None:
        return pd.Series("", index=index)
    values = partners[column]
    if column.endswith("_id"):
        return pd.Series([str(int(v)) if pd.notna(v) else np.nan for v in values], index=index, dtype=object)
    return pd.Series(values.astype(str).to_numpy(), index=index, dtype=object)


def kpi_rows(
    frame: pd.DataFrame, periods: Periods, dimension: str, computed_at: datetime, member_count: bool = False
) -> pd.DataFrame:
    """KpiSnapshot rows (as a frame of column values) from a (key, period) KPI frame."""
    flat = frame.reset_index()
    idx = flat["period"].to_numpy(dtype="int64")
    keys = flat["key"]
    out = pd.DataFrame(
        {
            "dimension": dimension,
            "key": [str(k) for k in keys],
            "partner_id": keys.astype("int64") if dimension == Dimension.PARTNER else None,
            "granularity": periods.granularity,
            "period_start": np.array(periods.starts, dtype=object)[idx],
            "period_end": np.array(periods.ends, dtype=object)[idx],
            "is_complete": periods.complete[idx],
            "computed_at": computed_at,
            "member_count": flat["member_count"].to_numpy() if member_count else np.nan,
        }
    )
    for column in KPI_COLUMNS:
        out[column] = flat[column].to_numpy()
    for column in kpis.TOTAL_COLUMNS:
        out[column] = out[column] / kpis.MS_PER_DAY
    return out


def stale_kpis(dimensions: list[str], window: Window, **filters) -> Q:
    """The rows a write over `window` replaces: those scopes, in the periods the window covers."""
    q = Q(pk__in=[])
    for granularity, (periods, _) in window.granularities().items():
        q |= Q(granularity=granularity, period_start__in=list(periods.starts))
    return Q(dimension__in=dimensions, **filters) & q


def mark_chunk_done(run_id: int | None, index: int | None) -> None:
    """Count a finished chunk once, even if its message is delivered again (call inside the chunk's transaction)."""
    if run_id is None or index is None:
        return
    run = JobRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or index in run.done_chunks:
        return
    run.done_chunks = sorted([*run.done_chunks, index])
    run.chunks_done = min(len(run.done_chunks), run.chunks_total)
    run.save(update_fields=["done_chunks", "chunks_done"])


def _all_granularities(monthly: pd.DataFrame, deals: pd.DataFrame, keys: list, window: Window) -> dict:
    frames = {}
    for granularity, (periods, mapping) in window.granularities().items():
        if mapping is None:
            frames[granularity] = (monthly, periods)
        else:
            medians = kpis.decision_medians(deals, keys, periods)
            frames[granularity] = (kpis.roll_up(monthly, mapping, periods, medians), periods)
    return frames


def partner_results(
    partner_ids: list[int], window: Window
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(KPI rows, health inputs, monthly KPI frame, partner attributes) for some partners, not yet written."""
    partners = loaders.load_partners(partner_ids)
    keys = partners["partner_id"].tolist()
    since = seconds_to_datetime(window.data_start)
    deals = loaders.load_deals(keys, since)
    inventory = loaders.load_inventory(keys, since.date())
    claims = loaders.load_claims(keys, since)
    certs = loaders.load_certifications(keys)
    monthly = kpis.compute_kpis(deals, inventory, claims, certs, keys, window.months)
    now = seconds_to_datetime(window.now)
    rows = pd.concat(
        [
            kpi_rows(frame, periods, Dimension.PARTNER, now)
            for frame, periods in _all_granularities(monthly, deals, keys, window).values()
        ],
        ignore_index=True,
    )
    inputs = health_inputs(deals, inventory, claims, keys, window.points).reset_index()
    inputs = inputs.rename(columns={"key": "partner_id", "period": "point"})
    return rows, inputs, monthly, partners


def input_rows(inputs: pd.DataFrame, window: Window, run_id: int) -> pd.DataFrame:
    point = inputs["point"].to_numpy()
    out = inputs[["partner_id", *HEALTH_INPUTS]].copy()
    out.insert(0, "run_id", run_id)
    out["as_of"] = np.array(window.points_date, dtype=object)[point]
    out["is_current"] = np.array(window.points_current)[point]
    out["measured_at"] = [seconds_to_datetime(window.points_s[i]) for i in point]
    return out


def frame_to_json(frame: pd.DataFrame) -> dict:
    """A frame as JSON-safe data for a chord result (NaN → None)."""
    flat = frame.reset_index()
    return {"columns": list(flat.columns), "data": flat.astype(object).where(flat.notna(), None).values.tolist()}


def frame_from_json(data: dict) -> pd.DataFrame:
    frame = pd.DataFrame(data["data"], columns=data["columns"])
    numeric = [c for c in frame.columns if c not in ("key",)]
    frame[numeric] = frame[numeric].apply(pd.to_numeric)
    return frame.set_index(["key", "period"])


def compute_partner_chunk(
    *, partner_ids: list[int], window: Window, run_id: int | None = None, index: int | None = None
) -> dict:
    """KPIs of a chunk of partners for every period of `window`, and their health inputs.

    Writes the chunk's partner rows (and the run's health inputs) in one transaction and returns the chunk's
    totals per breakdown group and month, which the roll-up adds up into the ecosystem figures.
    """
    rows, inputs, monthly, partners = partner_results(partner_ids, window)
    keys = partners["partner_id"].tolist()
    with transaction.atomic():
        KpiSnapshot.objects.filter(stale_kpis([Dimension.PARTNER], window, partner_id__in=keys)).delete()
        insert_frame(KpiSnapshot, rows)
        if run_id is not None:
            HealthInput.objects.filter(run_id=run_id, partner_id__in=keys).delete()
            insert_frame(HealthInput, input_rows(inputs, window, run_id))
        mark_chunk_done(run_id, index)
    totals = {dim: frame_to_json(kpis.group_totals(monthly, group_keys(partners, dim))) for dim in GROUPS}
    return {"kind": "partners", "totals": totals}


def compute_group_medians(*, window: Window, run_id: int | None = None, index: int | None = None) -> dict:
    """median_hours_to_decision of the ecosystem and each tier, type and region, per period (raw values needed)."""
    months = window.months
    until = datetime.combine(months.ends[-1], datetime.min.time(), tzinfo=UTC)
    decisions = loaders.load_decisions(datetime.combine(months.starts[0], datetime.min.time(), tzinfo=UTC), until)
    partners = loaders.load_partners()
    out: dict = {}
    for dim in GROUPS:
        mapping = group_keys(partners, dim)
        frame = decisions.assign(key=decisions["partner_id"].map(mapping))
        keys = sorted(k for k in mapping.dropna().unique())
        out[dim] = {
            granularity: frame_to_json(kpis.decision_medians(frame, keys, periods))
            for granularity, (periods, _) in window.granularities().items()
        }
    with transaction.atomic():
        mark_chunk_done(run_id, index)
    return {"kind": "medians", "medians": out}


def compute_product_lines(
    *, line_ids: list[int], window: Window, run_id: int | None = None, index: int | None = None
) -> dict:
    """The ecosystem broken down by product line (deal lines, stock, claims and certifications of that line).

    A registration counts in every line it contains, with the amount of its lines of that line. Also
    returns, per health point, how many of these lines had an active partner registering or stocking them in
    the trailing 90 days (the ecosystem's product-line coverage).
    """
    since = seconds_to_datetime(window.data_start)
    deals = loaders.load_deal_lines(line_ids, since)
    inventory = loaders.load_inventory(None, since.date(), line_ids)
    claims = loaders.load_claims(None, since, line_ids)
    certs = loaders.load_certifications(None, line_ids)
    keys = list(line_ids)
    monthly = kpis.compute_kpis(deals, inventory, claims, certs, keys, window.months)
    now = seconds_to_datetime(window.now)
    rows = pd.concat(
        [
            kpi_rows(frame, periods, Dimension.PRODUCT_LINE, now)
            for frame, periods in _all_granularities(monthly, deals, keys, window).values()
        ],
        ignore_index=True,
    )
    with transaction.atomic():
        stale = stale_kpis([Dimension.PRODUCT_LINE], window, key__in=[str(k) for k in keys])
        KpiSnapshot.objects.filter(stale).delete()
        insert_frame(KpiSnapshot, rows)
        mark_chunk_done(run_id, index)
    active = set(loaders.load_partners().query("status == 'active'")["partner_id"])
    covered = product_line_coverage(
        deals[deals["partner_id"].isin(active)], inventory[inventory["partner_id"].isin(active)], keys, window.points
    )
    return {"kind": "product_lines", "covered": [int(c) for c in covered], "lines": len(keys)}


def group_rows(results: list[dict], window: Window) -> pd.DataFrame:
    """Ecosystem, tier, type and region rows for every period, from the chunks' totals and the group medians."""
    totals = [r["totals"] for r in results if r.get("kind") == "partners"]
    medians = next((r["medians"] for r in results if r.get("kind") == "medians"), {})
    now = seconds_to_datetime(window.now)
    frames = []
    for dim in GROUPS:
        monthly = kpis.combine_totals([frame_from_json(t[dim]) for t in totals if t[dim]["data"]])
        if monthly.empty:
            continue
        for granularity, (periods, mapping) in window.granularities().items():
            med = frame_from_json(medians[dim][granularity]) if dim in medians else None
            if mapping is None:
                frame = monthly.copy()
                frame["median_hours_to_decision"] = med["median_hours_to_decision"] if med is not None else np.nan
                frame = kpis.derive_rates(frame, periods.days)
            else:
                frame = kpis.roll_up(monthly, mapping, periods, med)
            frames.append(kpi_rows(frame, periods, dim, now, member_count=True))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_group_rows(rows: pd.DataFrame, window: Window) -> None:
    with transaction.atomic():
        KpiSnapshot.objects.filter(stale_kpis(list(GROUPS), window)).delete()
        insert_frame(KpiSnapshot, rows)


def window_from(kind: str, now_iso: str, history_months: int) -> Window:
    """Rebuild the window every task of a run shares (the same `now`, so all steps agree)."""
    now = datetime.fromisoformat(now_iso)
    if kind == JobRun.Kind.CURRENT_PERIOD:
        return Window.current(now)
    return Window.full(now, history_months)
