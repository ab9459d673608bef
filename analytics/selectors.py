"""Readers of the analytics tables for pages, dashboards and the API.

Every function applies the visibility rule of the analytics models (a partner sees its own
figures and anonymised peer benchmarks; managers limited to regions their partners and regions;
other managers every breakdown and the ecosystem) and reads a bounded number of indexed rows:
nothing here aggregates raw ecosystem data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
from django.db.models import Max, QuerySet

from partners.models import Partner

from .definitions import DESIGN_KPIS
from .models import Dimension, EcosystemHealth, Granularity, JobRun, KpiSnapshot, PartnerHealthScore

# Benchmarks are shown only when the peer group is large enough that no single partner can be inferred.
MIN_BENCHMARK_PEERS = 5


def kpi_rows(
    *,
    user: Any,
    dimension: str = Dimension.PARTNER,
    granularity: str = Granularity.MONTH,
    partner: Partner | int | None = None,
    key: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[KpiSnapshot]:
    """KPI rows the user may see, oldest period first: one partner's history, the ecosystem's, a breakdown's.

    `since`/`until` bound `period_start` (inclusive). Partner rows come with `partner` loaded.
    """
    rows = KpiSnapshot.objects.visible_to(user).filter(dimension=dimension, granularity=granularity)
    if partner is not None:
        rows = rows.filter(partner_id=getattr(partner, "pk", partner))
    if key is not None:
        rows = rows.filter(key=key)
    if since is not None:
        rows = rows.filter(period_start__gte=since)
    if until is not None:
        rows = rows.filter(period_start__lte=until)
    if dimension == Dimension.PARTNER:
        rows = rows.select_related("partner")
    return rows.order_by("key", "period_start")


def partner_kpis(
    *, user: Any, partner: Partner | int, granularity: str = Granularity.MONTH, since: date | None = None
) -> QuerySet[KpiSnapshot]:
    """One partner's KPI history (empty if the user may not see that partner)."""
    return kpi_rows(user=user, partner=partner, granularity=granularity, since=since)


def ecosystem_kpis(*, user: Any, granularity: str = Granularity.MONTH, since: date | None = None) -> QuerySet:
    """The whole ecosystem's KPI history (for users who may read channel-wide figures, see the models)."""
    return kpi_rows(user=user, dimension=Dimension.ECOSYSTEM, granularity=granularity, since=since)


def kpi_breakdown(*, user: Any, dimension: str, granularity: str, period_start: date) -> QuerySet[KpiSnapshot]:
    """The ecosystem split by tier, partner type, region or product line for one period (managers; regional
    managers only the rows of their regions)."""
    return kpi_rows(user=user, dimension=dimension, granularity=granularity, since=period_start, until=period_start)


def kpi_period_table(*, user: Any, granularity: str, period_start: date) -> QuerySet[KpiSnapshot]:
    """Every visible partner's row for one period (leaderboards, partner lists with KPI columns)."""
    return kpi_rows(user=user, granularity=granularity, since=period_start, until=period_start).order_by(
        "partner__name"
    )


def latest_period(*, granularity: str = Granularity.MONTH, complete: bool = True) -> date | None:
    """The most recent period with ecosystem figures (the last complete one by default)."""
    rows = KpiSnapshot.objects.filter(dimension=Dimension.ECOSYSTEM, granularity=granularity)
    if complete:
        rows = rows.filter(is_complete=True)
    return rows.aggregate(last=Max("period_start"))["last"]


def peer_benchmarks(
    *,
    user: Any,
    partner: Partner,
    granularity: str = Granularity.MONTH,
    period_start: date,
    kpis: Iterable[str] = DESIGN_KPIS,
) -> dict[str, dict[str, float | int | None]]:
    """Anonymised benchmarks of a partner's tier for one period: quartiles and median per KPI, never names.

    Peers are the active partners of the partner's tier. Returns {} when the user may not see the partner or
    there are fewer than MIN_BENCHMARK_PEERS peers with rows (a small group could reveal one partner).
    """
    if not Partner.objects.visible_to(user).filter(pk=partner.pk).exists():
        return {}
    kpis = [k for k in kpis if k in DESIGN_KPIS]
    peers = KpiSnapshot.objects.filter(
        dimension=Dimension.PARTNER,
        granularity=granularity,
        period_start=period_start,
        partner__tier_id=partner.tier_id,
        partner__status=Partner.Status.ACTIVE,
    ).values_list(*kpis)
    values = np.array([[np.nan if v is None else float(v) for v in row] for row in peers], dtype="float64")
    if len(values) < MIN_BENCHMARK_PEERS:
        return {}
    out = {}
    for i, name in enumerate(kpis):
        column = values[:, i][~np.isnan(values[:, i])]
        if len(column) < MIN_BENCHMARK_PEERS:
            out[name] = {"count": int(len(column)), "p25": None, "median": None, "p75": None}
            continue
        p25, median, p75 = np.percentile(column, [25, 50, 75])
        out[name] = {"count": int(len(column)), "p25": float(p25), "median": float(median), "p75": float(p75)}
    return out


def health_scores(
    *, user: Any, as_of: date | None = None, band: str | None = None, tier_id: int | None = None
) -> QuerySet[PartnerHealthScore]:
    """Visible partners' scores: current ones, or the monthly history rows as of a month start."""
    rows = PartnerHealthScore.objects.visible_to(user).select_related("partner", "tier")
    rows = rows.filter(is_current=False, as_of=as_of) if as_of else rows.filter(is_current=True)
    if band:
        rows = rows.filter(band=band)
    if tier_id:
        rows = rows.filter(tier_id=tier_id)
    return rows.order_by("score", "partner__name")


def partner_health(*, user: Any, partner: Partner | int) -> PartnerHealthScore | None:
    """A partner's current health score with its components (None if not visible or not scored)."""
    return (
        PartnerHealthScore.objects.visible_to(user)
        .select_related("tier")
        .filter(partner_id=getattr(partner, "pk", partner), is_current=True)
        .first()
    )


def partner_health_history(*, user: Any, partner: Partner | int) -> QuerySet[PartnerHealthScore]:
    """A partner's monthly health history, oldest first."""
    return (
        PartnerHealthScore.objects.visible_to(user)
        .select_related("tier")
        .filter(partner_id=getattr(partner, "pk", partner), is_current=False)
        .order_by("as_of")
    )


def ecosystem_health_current(*, user: Any) -> EcosystemHealth | None:
    """The ecosystem's health now, for users who may read channel-wide figures (None for others)."""
    return EcosystemHealth.objects.visible_to(user).filter(is_current=True).first()


def ecosystem_health_history(*, user: Any) -> QuerySet[EcosystemHealth]:
    return EcosystemHealth.objects.visible_to(user).filter(is_current=False).order_by("as_of")


def job_runs(*, user: Any, kind: str | None = None) -> QuerySet[JobRun]:
    rows = JobRun.objects.visible_to(user)
    return rows.filter(kind=kind) if kind else rows


def job_run_latest(*, user: Any, kind: str | None = None) -> JobRun | None:
    """The latest job (for a progress bar), or None."""
    return job_runs(user=user, kind=kind).order_by("-created_at", "-pk").first()
