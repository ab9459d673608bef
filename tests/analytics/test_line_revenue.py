"""Won revenue per product line and group of partners: the engine's `LineRevenue` rows against a sum over the
raw deal lines, and the reader the overview uses for a part of the ecosystem (visibility, filters, periods)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date
from decimal import Decimal

import pytest

from analytics import selectors
from analytics.models import Dimension, KpiSnapshot, LineRevenue
from catalog.models import ProductLine
from deals.models import DealLine
from tests import factories as f
from tests.analytics.test_failure_codes import FIRST_MONTH, Span, quarter_start

pytestmark = pytest.mark.django_db


def expected_sums() -> Counter:
    """(granularity, period start, region, tier, type, product line) → Σ quantity × unit price of the lines of
    won registrations closed in the period, line by line from the raw rows."""
    sums: Counter = Counter()
    lines = DealLine.objects.filter(deal__status="won").select_related("deal__partner", "product")
    for line in lines:
        month = line.deal.closed_at.astimezone(UTC).date().replace(day=1)
        partner = line.deal.partner
        group = (partner.region_id, partner.tier_id, partner.partner_type, line.product.product_line_id)
        for granularity, start in (
            ("month", month),
            ("quarter", quarter_start(month)),
            ("year", month.replace(month=1)),
        ):
            if start >= FIRST_MONTH:
                sums[(granularity, start, *group)] += line.quantity * line.unit_price
    return sums


def stored_sums() -> Counter:
    return Counter(
        {
            (r.granularity, r.period_start, r.region_id, r.tier_id, r.partner_type, r.product_line_id): r.won_revenue
            for r in LineRevenue.objects.all()
        }
    )


def test_sums_per_product_line_and_group_match_the_raw_deal_lines(eco, run_recompute):
    run_recompute(chunk_partners=3)
    expected = +expected_sums()
    assert expected
    assert stored_sums() == expected
    # The groups of a product line add up to its ecosystem row.
    for row in KpiSnapshot.objects.filter(dimension=Dimension.PRODUCT_LINE, granularity="quarter"):
        groups = LineRevenue.objects.filter(
            granularity="quarter", period_start=row.period_start, product_line_id=int(row.key)
        )
        assert sum((g.won_revenue for g in groups), Decimal(0)) == row.won_revenue


def test_reader_follows_visibility_and_filters(eco, run_recompute):
    run_recompute()
    year = sorted({start for g, start, *_ in expected_sums() if g == "year"})[-1]
    span = Span("year", year, date(year.year + 1, 1, 1))
    expected = expected_sums()

    def by_line(**group) -> dict[str, Decimal]:
        names = {}
        for (granularity, start, region, tier, kind, line), amount in expected.items():
            if granularity != "year" or start != year:
                continue
            if any({"region": region, "tier": tier, "partner_type": kind}[k] != v for k, v in group.items()):
                continue
            name = ProductLine.objects.get(pk=line).name
            names[name] = names.get(name, Decimal(0)) + amount
        return {k: v for k, v in names.items() if v}

    manager = f.ManagerFactory()
    assert dict(selectors.revenue_by_product_line_of(user=manager, scope=selectors.Scope(), period=span)) == by_line()
    regional = f.ManagerFactory()
    regional.regions.set([eco.amer])
    americas = selectors.revenue_by_product_line_of(user=regional, scope=selectors.Scope(), period=span)
    assert dict(americas) == by_line(region=eco.amer.pk)
    partner_user = f.PartnerUserFactory(partner=eco.partners[0])
    assert selectors.revenue_by_product_line_of(user=partner_user, scope=selectors.Scope(), period=span) == []
