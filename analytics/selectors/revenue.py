"""Won revenue of a period split by segment, product line and partner, and its concentration.

Segments, concentration and movers add up or rank the partner rows of the scope for
the period, which at most touches one row per partner (and month, for a custom
range); product lines read the ecosystem's product line rows, or, for a part of the
ecosystem (a region-limited manager, partner filters), that part's own won lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django_countries import countries

from catalog.models import ProductLine
from partners.models import Partner

from ..definitions import TO_DATE
from ..models import Dimension, KpiSnapshot, LineRevenue
from .kpis import PeriodLike, Scope, partner_period_rows, period_months

# Segment → the partner attribute it groups by.
SEGMENTS = {"tier": "partner__tier__name", "region": "partner__region__name", "type": "partner__partner_type"}
TYPE_LABELS = dict(Partner.Type.choices)


def revenue_by_segment(partners: QuerySet[Partner], period: PeriodLike) -> dict[str, list[tuple[str, Decimal]]]:
    """{segment: [(name, won revenue)]} by tier, region and partner type, largest first (then by name).

    One grouped query, summed three ways. Untiered partners count as "No tier"; a segment whose
    revenue is all zero has no entries.
    """
    groups = partner_period_rows(partners, period).values(*SEGMENTS.values()).order_by().annotate(r=Sum("won_revenue"))
    totals: dict[str, dict[str, Decimal]] = {segment: {} for segment in SEGMENTS}
    for row in groups:
        for segment, lookup in SEGMENTS.items():
            value = row[lookup]
            name = (TYPE_LABELS.get(value, value) if segment == "type" else value) or "No tier"
            totals[segment][name] = totals[segment].get(name, Decimal(0)) + (row["r"] or 0)
    out = {}
    for segment, by_name in totals.items():
        ordered = sorted(by_name.items(), key=lambda kv: (-kv[1], kv[0]))
        out[segment] = ordered if any(v for _, v in ordered) else []
    return out


def revenue_by_product_line(*, user: Any, period: PeriodLike, product_line_id: int | None) -> list[tuple[str, Decimal]]:
    """[(product line, won revenue)], largest first, from the ecosystem's product line rows (a line's share of
    each won deal); empty when no line earned anything."""
    rows = KpiSnapshot.objects.visible_to(user).filter(dimension=Dimension.PRODUCT_LINE)
    if period.kind == "custom":
        rows = rows.filter(granularity="month", period_start__gte=period.start, period_start__lt=period.end)
    else:
        rows = rows.filter(granularity=period.kind, period_start=period.start)
    if product_line_id:
        rows = rows.filter(key=str(product_line_id))
    totals: dict[str, Decimal] = {}
    for key, revenue in rows.values_list("key", "won_revenue"):
        totals[key] = totals.get(key, Decimal(0)) + (revenue or 0)
    names = dict(ProductLine.objects.filter(pk__in=[int(k) for k in totals]).values_list("pk", "name"))
    ordered = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    if not any(v for _, v in ordered):
        return []
    return [(names.get(int(k), k), v) for k, v in ordered]


def revenue_by_product_line_of(
    *, user: Any, scope: Scope, period: PeriodLike, product_line_id: int | None = None
) -> list[tuple[str, Decimal]]:
    """[(product line, won revenue)] of the partners the user may see, narrowed by the scope's partner filters,
    largest first (then by name); empty when none.

    No KPI row splits a part of the ecosystem by product line, so this adds up the engine's `LineRevenue`
    groups (region × tier × type) that the user's regions and the filters cover: the product-line KPI's won
    revenue (a line's share of each won deal) of exactly those partners, with no deal read at request time.
    """
    rows = LineRevenue.objects.visible_to(user).filter(**scope.partner_filters)
    if period.kind == "custom":
        rows = rows.filter(granularity="month", period_start__in=period_months(period.start, period.end))
    else:
        rows = rows.filter(granularity=period.kind, period_start=period.start)
    if product_line_id:
        rows = rows.filter(product_line_id=product_line_id)
    grouped = rows.values("product_line__name").order_by().annotate(revenue=Sum("won_revenue"))
    ordered = sorted(
        ((row["product_line__name"], row["revenue"] or Decimal(0)) for row in grouped),
        key=lambda kv: (-kv[1], kv[0]),
    )
    return ordered if any(v for _, v in ordered) else []


def revenue_by_country(partners: QuerySet[Partner], period: PeriodLike) -> list[tuple[str, Decimal]]:
    """[(country name, won revenue)] of these partners' rows of the period, largest first (then by name);
    empty when all is zero. Used where the scope is one region, so a one-bar region chart says nothing."""
    groups = partner_period_rows(partners, period).values("partner__country").order_by().annotate(r=Sum("won_revenue"))
    totals: dict[str, Decimal] = {}
    for row in groups:
        name = countries.name(row["partner__country"]) or row["partner__country"] or "No country"
        totals[name] = totals.get(name, Decimal(0)) + (row["r"] or 0)
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return ordered if any(v for _, v in ordered) else []


def revenue_by_partner(
    partners: QuerySet[Partner], period: PeriodLike, previous: PeriodLike, *, to_date: bool = False
) -> list[dict[str, Any]]:
    """Each partner's won revenue in `period` and in `previous` (of the same kind), from one grouped query over
    their rows of the two periods: {pk, name, revenue_now, revenue_before, change}. Empty for a custom range,
    which has no stored rows of its own.

    `to_date`: `period` is in progress, so `previous` is read cut at the same elapsed days (its stored to-date
    row, `analytics.periods.to_date_periods`), never whole."""
    if period.kind == "custom":
        return []
    before = Q(granularity=TO_DATE[period.kind] if to_date else period.kind, period_start=previous.start)
    now = Q(granularity=period.kind, period_start=period.start)
    rows = (
        KpiSnapshot.objects.filter(dimension=Dimension.PARTNER, partner__in=partners.values("pk"))
        .filter(now | before)
        .values("partner_id", "partner__name")
        .annotate(
            revenue_now=Sum("won_revenue", filter=now, default=Decimal(0)),
            revenue_before=Sum("won_revenue", filter=before, default=Decimal(0)),
        )
        .order_by()
    )
    return [
        {
            "pk": row["partner_id"],
            "name": row["partner__name"],
            "revenue_now": row["revenue_now"],
            "revenue_before": row["revenue_before"],
            "change": row["revenue_now"] - row["revenue_before"],
        }
        for row in rows
    ]


@dataclass(frozen=True)
class Concentration:
    """How won revenue is spread over partners: the top 10's share, the Herfindahl index (Σ share², 0–1) and
    how many partners earned anything."""

    top10_share: float
    hhi: float
    earning: int


def concentration(
    partners: QuerySet[Partner], period: PeriodLike, revenue: list[dict[str, Any]] | None = None
) -> Concentration | None:
    """Revenue concentration of the period over the partners in scope (None when nothing was won).

    `revenue` is `revenue_by_partner` when the caller already has it (not for custom ranges, whose months
    are added up per partner instead)."""
    if period.kind == "custom" or revenue is None:
        per_partner = (
            partner_period_rows(partners, period).values("partner_id").order_by().annotate(r=Sum("won_revenue"))
        )
        revenues = [float(r["r"] or 0) for r in per_partner]
    else:
        revenues = [float(r["revenue_now"]) for r in revenue]
    revenues.sort(reverse=True)
    total = sum(revenues)
    if total <= 0:
        return None
    return Concentration(
        sum(revenues[:10]) / total, sum((r / total) ** 2 for r in revenues), sum(1 for r in revenues if r > 0)
    )
