"""Health scores for pages, read from `PartnerHealthScore` and `EcosystemHealth` (DESIGN §4).

The ecosystem's own rows are used when a page covers every partner; for a narrower
scope (a regional manager, a tier filter…) the same formulas run over the
partners' stored scores in SQL: score = Σ score × revenue_90d / Σ revenue_90d over
scored partners, band shares of scored partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, FloatField, Max, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from partners.models import Partner

from ..models import EcosystemHealth, PartnerHealthScore
from .kpis import Scope, scope_partners


def partner_health(*, user: Any, partner: Partner | int) -> PartnerHealthScore | None:
    """A partner's current health score with its components (None if not visible or not scored)."""
    return (
        PartnerHealthScore.objects.visible_to(user)
        .select_related("tier")
        .filter(partner_id=getattr(partner, "pk", partner), is_current=True)
        .first()
    )


@dataclass
class EcosystemSummary:
    """Health of the partners in scope: the revenue-weighted score, partners per band, and its monthly trend."""

    score: float | None
    band: str
    as_of: date | None
    scored: int
    healthy: int
    watch: int
    at_risk: int
    unscored: int
    previous_score: float | None = None
    previous_as_of: date | None = None  # the month end `previous_score` was measured at
    trend: list[tuple[date, float | None]] = field(default_factory=list)
    coverage: EcosystemHealth | None = None  # regions and product lines with an active partner (whole ecosystem)

    def _share(self, n: int) -> float | None:
        return n / self.scored if self.scored else None

    @property
    def healthy_share(self) -> float | None:
        return self._share(self.healthy)

    @property
    def watch_share(self) -> float | None:
        return self._share(self.watch)

    @property
    def at_risk_share(self) -> float | None:
        return self._share(self.at_risk)


def _weighted(rows: Any) -> Any:
    scored = Q(score__isnull=False)
    return rows.aggregate(
        as_of=Max("as_of"),
        weighted=Sum(F("score") * Cast("revenue_90d", FloatField()), filter=scored),
        revenue=Sum(Cast("revenue_90d", FloatField()), filter=scored),
        scored=Count("pk", filter=scored),
        unscored=Count("pk", filter=Q(score__isnull=True)),
        healthy=Count("pk", filter=Q(band="healthy")),
        watch=Count("pk", filter=Q(band="watch")),
        at_risk=Count("pk", filter=Q(band="at_risk")),
    )


def ecosystem_summary(*, user: Any, scope: Scope, whole: bool, months: list[date]) -> EcosystemSummary:
    """Health of the partners in scope now, and its monthly trend over `months` (month starts).

    `whole` is True when the page covers every partner: the stored ecosystem rows are read.
    """
    partners = scope_partners(user, scope)
    current = PartnerHealthScore.objects.current().filter(partner__in=partners.values("pk"))
    totals = _weighted(current)
    score = totals["weighted"] / totals["revenue"] if totals["revenue"] else None
    trend_points = [m + relativedelta(months=1) for m in months]  # a month's health is measured at its end
    coverage = None
    if whole:
        coverage = EcosystemHealth.objects.visible_to(user).filter(is_current=True).first()
        stored = dict(
            EcosystemHealth.objects.visible_to(user)
            .filter(is_current=False, as_of__in=trend_points)
            .values_list("as_of", "score")
        )
    else:
        rows = (
            PartnerHealthScore.objects.monthly()
            .filter(as_of__in=trend_points, partner__in=partners.values("pk"), score__isnull=False)
            .values("as_of")
            .order_by()
            .annotate(
                weighted=Sum(F("score") * Cast("revenue_90d", FloatField())),
                revenue=Sum(Cast("revenue_90d", FloatField())),
            )
        )
        stored = {r["as_of"]: (r["weighted"] / r["revenue"] if r["revenue"] else None) for r in rows}
    trend = [(m, stored.get(point)) for m, point in zip(months, trend_points, strict=True)]
    # The comparison is the latest month-end score before now.
    previous_as_of, previous_score = next(
        (
            (point, value)
            for (_, value), point in zip(reversed(trend), reversed(trend_points), strict=True)
            if value is not None
        ),
        (None, None),
    )
    from ..health import band_of  # the compute module (pandas) loads on first use, not at start-up

    return EcosystemSummary(
        score=score,
        band=band_of(round(score, 1)) if score is not None else "",
        as_of=totals["as_of"],
        scored=totals["scored"],
        healthy=totals["healthy"],
        watch=totals["watch"],
        at_risk=totals["at_risk"],
        unscored=totals["unscored"],
        previous_score=previous_score,
        previous_as_of=previous_as_of,
        trend=trend,
        coverage=coverage,
    )


def last_month_end(today: date | None = None) -> date:
    """The as-of date of the latest month-end health scores: the first day of the current month (UTC).

    Alerts compare the current band with this one, whatever period a page shows: the current scores are of now.
    """
    return (today or timezone.now().date()).replace(day=1)


def health_alert_rows(*, user: Any, scope: Scope, since: date, limit: int) -> tuple[list[PartnerHealthScore], int]:
    """Current scores of partners with an open alert (`PartnerHealthScoreQuerySet.open_alerts`: at risk, or in
    watch after being healthy at `since`), lowest score first: the first `limit` (with `partner`, `before_band`
    and `before_score`) and how many in all.

    The analytics engine stores no alert rows, so alerts are derived from the health bands.
    """
    partners = scope_partners(user, scope)
    rows = (
        PartnerHealthScore.objects.open_alerts(since)
        .filter(partner__in=partners.values("pk"))
        .select_related("partner")
        .order_by("score", "partner__name")
    )
    return list(rows[:limit]), rows.count()
