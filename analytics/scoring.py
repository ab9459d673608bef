"""Health scores in the database: rank the run's inputs, write partner and ecosystem health.

Ranking needs every active partner of a tier at once, so it runs after all the
chunks (in the roll-up), or, for one partner's refresh, against the inputs its
peers' current scores were computed from.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.events import emit
from partners.models import Partner, Region

from . import loaders
from .compute import mark_chunk_done
from .definitions import BAND_EVENT, HEALTH_COMPONENTS, HEALTH_INPUTS
from .health import ecosystem_health, score_health
from .models import EcosystemHealth, HealthInput, HealthWeights, PartnerHealthScore
from .periods import Window, seconds_to_datetime, to_seconds
from .writers import insert_frame

# How the stored health inputs are read back (the rest are whole numbers).
INPUT_KINDS = {"revenue_90d": "float", "revenue_prior_90d": "float", "pipeline": "float", "data_quality_score": "float"}
METRIC_COLUMNS = ["growth_metric", "deal_quality_metric", "operations_metric", "cover_days", "claims_per_1000_units"]
SCORE_COLUMNS = (
    ["partner_id", "as_of", "is_current", "measured_at", "tier_id", "peer_count", "score", "band", *HEALTH_INPUTS]
    + METRIC_COLUMNS
    + [f"{name}_pct" for name in HEALTH_COMPONENTS]
    + [f"{name}_weight" for name in HEALTH_COMPONENTS]
    + ["reasons", "computed_at"]
)
POINT_COLUMNS = ["as_of", "is_current", "measured_at"]


def current_bands(partner_ids: list[int] | None = None) -> dict[int, str]:
    """Each partner's band as of now, as stored ("" when it had no score)."""
    stored = PartnerHealthScore.objects.filter(is_current=True)
    if partner_ids is not None:
        stored = stored.filter(partner_id__in=partner_ids)
    return dict(stored.values_list("partner_id", "band"))


def announce_band_changes(before: dict[int, str], rows: pd.DataFrame) -> int:
    """Emit `partner.health_band_changed` for each partner whose band as of now differs from `before`.

    Call inside the transaction that writes `rows`: the events go out only if it commits. A partner
    scored for the first time has no band to change from, so it announces nothing.
    """
    now_rows = rows[rows["is_current"].astype(bool)]
    changed = 0
    for partner_id, band, score, as_of in zip(
        now_rows["partner_id"], now_rows["band"], now_rows["score"], now_rows["as_of"], strict=True
    ):
        partner_id = int(partner_id)
        if partner_id not in before or before[partner_id] == band:
            continue
        emit(
            BAND_EVENT,
            partner_id=partner_id,
            data={
                "partner": partner_id,
                "from_band": before[partner_id] or None,
                "to_band": band or None,
                "score": None if pd.isna(score) else float(score),
                "as_of": as_of.isoformat(),
            },
        )
        changed += 1
    return changed


def _attach_partners(inputs: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    merged = inputs.merge(partners[["partner_id", "tier_id", "status"]], on="partner_id", how="left")
    return merged.assign(tier_key=merged["tier_id"])


def score_frame(inputs: pd.DataFrame, partners: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Scores of the active partners among `inputs` (one row per partner and point)."""
    active = _attach_partners(inputs, partners).query("status == 'active'")
    return score_health(active.reset_index(drop=True), weights)


def score_rows(scored: pd.DataFrame, computed_at: datetime) -> pd.DataFrame:
    out = scored.copy()
    out["computed_at"] = computed_at
    out["tier_id"] = out["tier_id"].astype("float64")
    return out[SCORE_COLUMNS]


def run_inputs(run_id: int, window: Window, points: list[int]) -> pd.DataFrame:
    """The health inputs the chunks of a run wrote for some of the window's points, with each row's point."""
    index = {
        (to_seconds(d), bool(c)): i
        for i, (d, c) in enumerate(zip(window.points_date, window.points_current, strict=True))
    }
    history = [window.points_date[i] for i in points if not window.points_current[i]]
    current = any(window.points_current[i] for i in points)
    params: list = [run_id, current, *history]
    dates = ", ".join(["%s"] * len(history)) or "NULL"
    columns = [
        loaders.Col("partner_id", "partner_id", "int"),
        loaders.Col("as_of", "as_of", "date"),
        loaders.Col("is_current", "is_current", "bool"),
        *(loaders.Col(name, name, INPUT_KINDS.get(name, "int")) for name in HEALTH_INPUTS),
    ]
    sql = (
        f"SELECT {loaders.select(columns)} FROM {HealthInput._meta.db_table} "  # noqa: S608
        f"WHERE run_id = %s AND ((is_current AND %s) OR (NOT is_current AND as_of IN ({dates})))"
    )
    frame = loaders.query_columns(sql, params, columns)
    frame["point"] = [index.get((d, bool(c)), -1) for d, c in zip(frame["as_of"], frame["is_current"], strict=True)]
    frame = frame[frame["point"] >= 0].drop(columns=["as_of", "is_current"]).sort_values(["point", "partner_id"])
    return _with_points(frame.reset_index(drop=True), window)


def _with_points(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    point = frame["point"].to_numpy(dtype="int64")
    moments = np.array([seconds_to_datetime(s) for s in window.points_s], dtype=object)
    return frame.assign(
        as_of=np.array(window.points_date, dtype=object)[point],
        is_current=np.array(window.points_current, dtype=bool)[point],
        measured_at=moments[point] if len(point) else [],
    )


def _stale_scores(window: Window, points: list[int] | None = None) -> Q:
    points = range(len(window.points_s)) if points is None else points
    history = [window.points_date[i] for i in points if not window.points_current[i]]
    q = Q(is_current=False, as_of__in=history)
    return q | Q(is_current=True) if any(window.points_current[i] for i in points) else q


def score_points(*, run_id: int, window: Window, points: list[int], index: int | None = None) -> dict:
    """Rank and score the run's inputs at some as-of points; replace those points' scores in one transaction.

    Returns the ecosystem summary of those points (JSON-safe) for `finish_ecosystem_health`.
    """
    inputs = run_inputs(run_id, window, points)
    scored = score_frame(inputs, loaders.load_partners(), HealthWeights.current())
    rows = score_rows(_with_points(scored.drop(columns=POINT_COLUMNS, errors="ignore"), window), _now(window))
    with transaction.atomic():
        before = current_bands() if any(window.points_current[i] for i in points) else {}
        PartnerHealthScore.objects.filter(_stale_scores(window, points)).delete()
        insert_frame(PartnerHealthScore, rows)
        announce_band_changes(before, rows)
        mark_chunk_done(run_id, index)
    summary = ecosystem_health(scored[["point", "score", "band", "revenue_90d"]], inputs[["point", "revenue_90d"]])
    return {"kind": "health", "summary": summary.astype(object).where(summary.notna(), None).to_dict("records")}


def finish_ecosystem_health(
    *, run_id: int, window: Window, summaries: list[dict], covered: list[int], lines_total: int
) -> None:
    """Write the ecosystem health of every point and drop the run's working inputs, in one transaction."""
    partners = loaders.load_partners()
    eco = pd.DataFrame([row for part in summaries for row in part["summary"]])
    if not eco.empty:
        eco = _with_points(eco, window)
        eco["regions_covered"] = partners.loc[partners["status"] == "active", "region_id"].nunique()
        eco["regions_total"] = Region.objects.count()
        eco["product_lines_covered"] = [covered[p] if p < len(covered) else 0 for p in eco["point"]]
        eco["product_lines_total"] = lines_total
        eco["computed_at"] = _now(window)
        eco = eco.drop(columns=["point"])
    with transaction.atomic():
        EcosystemHealth.objects.filter(_stale_scores(window)).delete()
        insert_frame(EcosystemHealth, eco)
        HealthInput.objects.filter(run_id=run_id).delete()


def _now(window: Window) -> datetime:
    return seconds_to_datetime(window.now)


def _stored_inputs(queryset, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    columns = ["partner_id", "as_of", "is_current", "measured_at", *HEALTH_INPUTS, *extra]
    frame = pd.DataFrame.from_records(list(queryset.values_list(*columns)), columns=columns)
    for name in ("revenue_90d", "revenue_prior_90d", "pipeline", "on_hand", "data_quality_score"):
        frame[name] = frame[name].astype("float64")
    return frame


def refresh_partner_health(*, partner: Partner, inputs: pd.DataFrame, window: Window) -> PartnerHealthScore | None:
    """Score one partner as of now against its peers' current inputs; replaces its current row."""
    stale = PartnerHealthScore.objects.filter(partner=partner, is_current=True)
    if partner.status != Partner.Status.ACTIVE:
        stale.delete()
        return None
    peers = _stored_inputs(
        PartnerHealthScore.objects.current()
        .filter(partner__tier_id=partner.tier_id, partner__status=Partner.Status.ACTIVE)
        .exclude(partner=partner)
    )
    own = inputs.assign(as_of=window.points_date[-1], is_current=True, measured_at=_now(window))
    frame = pd.concat([peers, own[peers.columns]], ignore_index=True).assign(point=0)
    partners = loaders.load_partners(frame["partner_id"].tolist())
    scored = score_frame(frame, partners, HealthWeights.current())
    rows = score_rows(scored[scored["partner_id"] == partner.pk], _now(window))
    with transaction.atomic():
        before = current_bands([partner.pk])
        stale.delete()
        insert_frame(PartnerHealthScore, rows)
        announce_band_changes(before, rows)
    return PartnerHealthScore.objects.filter(partner=partner, is_current=True).first()


def rescore_all() -> int:
    """Recompute every stored score with the weights now in force (inputs and percentiles do not change)."""
    stored = _stored_inputs(PartnerHealthScore.objects.all(), extra=("tier_id",))
    if stored.empty:
        return 0
    keys = stored[["as_of", "is_current"]].drop_duplicates().reset_index(drop=True)
    keys["point"] = range(len(keys))
    # The same peers as when the scores were measured: the stored tier, every stored partner.
    frame = stored.merge(keys, on=["as_of", "is_current"])
    scored = score_health(frame.assign(tier_key=frame["tier_id"]), HealthWeights.current())
    rows = score_rows(scored, timezone.now())
    summary = ecosystem_health(scored[["point", "score", "band", "revenue_90d"]], scored[["point", "revenue_90d"]])
    summary = summary.merge(keys, on="point")
    with transaction.atomic():
        before = current_bands()
        PartnerHealthScore.objects.all().delete()
        insert_frame(PartnerHealthScore, rows)
        announce_band_changes(before, rows)
        for row in summary.itertuples():
            EcosystemHealth.objects.filter(as_of=row.as_of, is_current=row.is_current).update(
                score=None if np.isnan(row.score) else row.score,
                mean_score=None if np.isnan(row.mean_score) else row.mean_score,
                partners_scored=row.partners_scored,
                healthy_share=None if np.isnan(row.healthy_share) else row.healthy_share,
                watch_share=None if np.isnan(row.watch_share) else row.watch_share,
                at_risk_share=None if np.isnan(row.at_risk_share) else row.at_risk_share,
            )
    return len(rows)
