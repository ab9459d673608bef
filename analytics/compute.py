"""The parallel steps of a recompute: load rows, run the pure functions, write or hand back the results.

A full recompute runs `compute_partner_chunk` for every chunk of partners and
`compute_ecosystem` once, all in parallel. Each
chunk writes its partners' rows in one transaction and hands back its totals per
group (ecosystem, tier, type, region, product line) for `rollup.py`, which adds
them up; health scores follow in `scoring.py`. Every step can run again safely.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q

from . import currency, kpis, loaders, sellout_kpis
from .currency import Rates
from .definitions import HEALTH_INPUTS, KPI_COLUMNS
from .health import health_inputs, line_activity
from .models import Dimension, HealthInput, JobRun, KpiSnapshot
from .periods import Periods, Window, seconds_to_datetime, to_date_periods
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
    """The rows a write over `window` replaces: those scopes, in every period starting within the window.

    A window writes every month from its first month on, and every quarter and year that starts inside it,
    so "starts on or after the first month" is exactly the set it rewrites (and a simple range to delete).
    """
    return Q(dimension__in=dimensions, period_start__gte=window.months.starts[0], **filters)


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


def _all_granularities(
    monthly: pd.DataFrame,
    deals: pd.DataFrame,
    customers: pd.DataFrame,
    tickets: pd.DataFrame,
    keys: list,
    window: Window,
) -> dict:
    frames = {}
    for granularity, (periods, mapping) in window.granularities().items():
        if mapping is None:
            frames[granularity] = (monthly, periods)
        else:
            medians = kpis.recomputed_columns(deals, customers, keys, periods, tickets)
            frames[granularity] = (kpis.roll_up(monthly, mapping, periods, medians), periods)
    return frames


def deal_rates(deals: pd.DataFrame, window: Window) -> Rates:
    """The rates that convert the loaded deals' amounts, from the window's first day to now (one query)."""
    currencies = deals["currency"].dropna().unique().tolist() if "currency" in deals else []
    start = seconds_to_datetime(window.data_start).date()
    return loaders.load_rates(currencies, start, seconds_to_datetime(window.now).date())


def partner_results(partner_ids: list[int], window: Window) -> tuple:
    """(KPI rows, health inputs, monthly KPI frame, partner attributes, the loaded frames) for some partners,
    computed but not written."""
    partners = loaders.load_partners(partner_ids)
    keys = partners["partner_id"].tolist()
    since = seconds_to_datetime(window.data_start)
    deals = loaders.load_deals(keys, since)
    inventory = loaders.load_inventory(keys, since.date())
    claims = loaders.load_claims(keys, since)
    certs = loaders.load_certifications(keys)
    tickets = loaders.load_tickets(keys, since)
    rates = deal_rates(deals, window)
    sellout = loaders.load_sellout(keys, since.date())
    customers = loaders.load_sellout_customers(keys, since.date())
    monthly = kpis.compute_kpis(
        deals, inventory, claims, certs, keys, window.months, rates, sellout, customers, tickets
    )
    now = seconds_to_datetime(window.now)
    frames = [
        kpi_rows(frame, periods, Dimension.PARTNER, now)
        for frame, periods in _all_granularities(monthly, deals, customers, tickets, keys, window).values()
    ]
    # The like-for-like comparisons of the periods in progress, for the ranges this window rewrites (an hourly
    # refresh leaves those of last year to the nightly run). Pages add the partner rows of their scope up.
    targets = list(to_date_periods(now, earliest=window.months.starts[0]).values())
    raw = (deals, inventory, claims, certs, sellout, customers, tickets)
    to_date = kpis.to_date_kpis(monthly, window.months, raw, keys, targets, rates)
    for frame, periods in zip(to_date, targets, strict=True):
        frames.append(kpi_rows(frame, periods, Dimension.PARTNER, now))
    rows = pd.concat(frames, ignore_index=True)
    inputs = health_inputs(deals, inventory, claims, keys, window.points, rates).reset_index()
    inputs = inputs.rename(columns={"key": "partner_id", "period": "point"})
    return rows, inputs, monthly, partners, raw


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


def failure_counts_to_json(frame: pd.DataFrame) -> dict:
    """Failure code counts (a flat frame) as JSON-safe data for a chord result (NaN → None)."""
    return {"columns": list(frame.columns), "data": frame.astype(object).where(frame.notna(), None).values.tolist()}


def failure_counts_from_json(data: dict) -> pd.DataFrame:
    """A flat frame of group figures back from JSON: every column numeric but the text ones (type, country)."""
    frame = pd.DataFrame(data["data"], columns=data["columns"])
    numeric = [c for c in frame.columns if c not in ("partner_type", "country")]
    frame[numeric] = frame[numeric].apply(pd.to_numeric)
    return frame


def unconverted_to_json(frame: pd.DataFrame) -> dict:
    """A report of amounts left out for want of a rate (`currency.UNCONVERTED_COLUMNS`) as JSON-safe data."""
    rows = [
        [kind, code, month.isoformat(), int(items), float(amount)]
        for kind, code, month, items, amount in frame[currency.UNCONVERTED_COLUMNS].itertuples(index=False)
    ]
    return {"columns": currency.UNCONVERTED_COLUMNS, "data": rows}


def unconverted_from_json(data: dict) -> pd.DataFrame:
    frame = pd.DataFrame(data["data"], columns=data["columns"])
    return frame.assign(month=[date.fromisoformat(m) for m in frame["month"]])


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
    totals per group and month — including its stock, claims, certifications and sell-out per product line, its
    active partners' stock activity per product line, its claims per failure code and its sell-out per group,
    product line and end-customer country — which the roll-up adds up into the ecosystem figures.
    """
    rows, inputs, monthly, partners, data = partner_results(partner_ids, window)
    keys = partners["partner_id"].tolist()
    with transaction.atomic():
        KpiSnapshot.objects.filter(stale_kpis([Dimension.PARTNER], window, partner_id__in=keys)).delete()
        insert_frame(KpiSnapshot, rows)
        if run_id is not None:
            HealthInput.objects.filter(run_id=run_id, partner_id__in=keys).delete()
            insert_frame(HealthInput, input_rows(inputs, window, run_id))
        mark_chunk_done(run_id, index)
    totals = {dim: frame_to_json(kpis.group_totals(monthly, group_keys(partners, dim))) for dim in GROUPS}
    lines = loaders.product_line_ids()
    _, inventory, claims, certs, sellout, _, tickets = data
    by_line = [
        kpis.inventory_kpis(inventory.assign(key=inventory["product_line_id"]), lines, window.months),
        kpis.claim_kpis(
            claims.assign(
                key=claims["product_line_id"],
                with_units=kpis.claims_with_units(claims, inventory, by=("partner_id", "product_line_id")),
            ),
            lines,
            window.months,
        ),
        kpis.certification_kpis(certs.assign(key=certs["product_line_id"]), lines, window.months),
        sellout_kpis.sellout_kpis(sellout.assign(key=sellout["product_line_id"]), lines, window.months),
        kpis.ticket_kpis(tickets.assign(key=tickets["product_line_id"]), lines, window.months).drop(
            columns=list(kpis.MEDIAN_COLUMNS), errors="ignore"
        ),
    ]
    active = set(partners.loc[partners["status"] == "active", "partner_id"])
    stock = inventory[inventory["partner_id"].isin(active)]
    activity = line_activity(stock.assign(key=stock["product_line_id"]), "day", lines, window.points)
    return {
        "kind": "partners",
        "totals": totals,
        "line_totals": frame_to_json(pd.concat(by_line, axis=1)),
        "line_activity": activity.tolist(),
        "failure_counts": failure_counts_to_json(kpis.failure_code_counts(claims, partners, window.months)),
        "sellout_groups": failure_counts_to_json(sellout_kpis.sellout_groups(sellout, partners, window.months)),
    }


def deals_by_line(deals: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """One row per registration and product line it contains, with the amount of its lines of that line."""
    per_line = lines.groupby(["deal_id", "product_line_id"], sort=False)["amount"].sum().reset_index()
    merged = per_line.merge(deals.drop(columns=["amount", "key"]), left_on="deal_id", right_on="id", how="inner")
    return merged.assign(key=merged["product_line_id"])


def compute_ecosystem(*, window: Window, run_id: int | None = None, index: int | None = None) -> dict:
    """The parts of the ecosystem figures that need every registration at once (raw values, not totals).

    - the medians (hours to decision, hours to resolve a ticket) of the ecosystem, of each tier, type and region
      and of each product line, per period, and their distinct end customers reached and new (a group's
      customer counts once, new when its first sale line from any partner of the group is in the period;
      `sellout_kpis.end_customer_kpis`);
    - deal KPIs per product line: a registration counts in every line it contains, with the amount of its
      lines of that line, and distinct end customers per product line (stock, claims, certifications and the
      additive sell-out figures per line come from the partner chunks);
    - per health point, the product lines an active partner registered a deal for in the trailing 90 days;
    - won revenue per product line and group of partners (region, tier, type) for each period (`LineRevenue`);
    - the deal amounts the window's money figures leave out for want of a rate (`UnconvertedAmount`).
    Money is in the reporting currency (`analytics.currency`), with the rate table read once for the step.
    """
    since = seconds_to_datetime(window.data_start)
    deals = loaders.load_deals(None, since)
    customers = loaders.load_sellout_customers(None, since.date())
    tickets = loaders.load_tickets(None, since)
    partners = loaders.load_partners()
    medians: dict = {}
    for dim in GROUPS:
        mapping = group_keys(partners, dim)
        names = sorted(mapping.dropna().unique())
        # Integer codes while computing (fast lookups), the group keys again in the result.
        codes = mapping.map({name: i for i, name in enumerate(names)})
        frame = deals.assign(key=deals["partner_id"].map(codes))
        buyers = customers.assign(key=customers["partner_id"].map(codes))
        ticket_frame = tickets.assign(key=tickets["partner_id"].map(codes))
        medians[dim] = {
            granularity: frame_to_json(
                kpis.recomputed_columns(frame, buyers, range(len(names)), periods, ticket_frame).rename(
                    index=dict(enumerate(names)), level=0
                )
            )
            for granularity, (periods, _) in window.granularities().items()
        }
    rates = deal_rates(deals, window)
    lines = loaders.product_line_ids()
    by_line = deals_by_line(deals, loaders.load_line_amounts())
    line_buyers = customers.assign(key=customers["product_line_id"])
    tickets_by_line = tickets.assign(key=tickets["product_line_id"])
    line_medians = {
        granularity: frame_to_json(kpis.recomputed_columns(by_line, line_buyers, lines, periods, tickets_by_line))
        for granularity, (periods, mapping) in window.granularities().items()
    }
    active = set(partners.loc[partners["status"] == "active", "partner_id"])
    activity = line_activity(by_line[by_line["partner_id"].isin(active)], "submitted", lines, window.points)
    line_totals = frame_to_json(
        kpis.deal_kpis(by_line, lines, window.months, rates).join(
            sellout_kpis.end_customer_kpis(line_buyers, lines, window.months)
        )
    )
    line_revenue = {
        granularity: failure_counts_to_json(kpis.line_revenue(by_line, partners, periods, rates))
        for granularity, (periods, _) in window.granularities().items()
    }
    unconverted = kpis.unconverted_deals(deals, window.months, rates)
    with transaction.atomic():
        mark_chunk_done(run_id, index)
    return {
        "kind": "ecosystem",
        "medians": medians,
        "line_deal_totals": line_totals,
        "line_medians": line_medians,
        "line_revenue": line_revenue,
        "line_activity": activity.tolist(),
        "unconverted": unconverted_to_json(unconverted),
    }


def window_from(kind: str, now_iso: str, history_months: int) -> Window:
    """Rebuild the window every task of a run shares (the same `now`, so all steps agree)."""
    now = datetime.fromisoformat(now_iso)
    if kind == JobRun.Kind.CURRENT_PERIOD:
        return Window.current(now)
    return Window.full(now, history_months)
