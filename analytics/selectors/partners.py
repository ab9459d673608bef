"""Partners with their analytics figures, for lists that sort and page in the database."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F, FilteredRelation, Q, QuerySet

from partners.models import Partner

from ..definitions import KPI_COLUMNS
from .kpis import PeriodLike


def partners_with_kpis(partners: QuerySet[Partner], period: PeriodLike, kpis: Sequence[str]) -> QuerySet[Partner]:
    """Partners annotated with `health_score`, `health_band` (current score) and each of `kpis` for `period`
    (a month, quarter or year; empty where not computed).

    One query whatever the number of partners: the period's KPI row and the current health row are LEFT
    JOINed (`FilteredRelation`), so sorting by a KPI sorts in the database and pagination stays a LIMIT/OFFSET.
    """
    if period.kind == "custom":
        raise ValueError("one stored row per partner: pass a month, quarter or year")
    unknown = set(kpis) - set(KPI_COLUMNS)
    if unknown:
        raise ValueError(f"not KPI columns: {sorted(unknown)}")
    return (
        partners.select_related("tier", "region")
        .annotate(
            kpi=FilteredRelation(
                "kpi_snapshots",
                condition=Q(kpi_snapshots__granularity=period.kind, kpi_snapshots__period_start=period.start),
            ),
            health=FilteredRelation("health_scores", condition=Q(health_scores__is_current=True)),
        )
        .annotate(
            health_score=F("health__score"),
            health_band=F("health__band"),
            **{k: F(f"kpi__{k}") for k in kpis},
        )
    )
