"""Money KPIs in the reporting currency: deals in USD, EUR, GBP and JPY, against an independent conversion.

The rate table has EUR monthly rates and a few daily ones, GBP monthly rates except March 2025, and no JPY
rate at all. The engine's figures (partner and ecosystem months and quarters, product-line revenue, health
inputs) must equal the loops of expected.py converting deal by deal through `RateTable.convert`; what has no
rate must be left out and reported (`UnconvertedAmount`), never counted at 1.0.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from analytics import selectors
from analytics.compute import partner_results
from analytics.models import KpiSnapshot, LineRevenue, UnconvertedAmount
from analytics.periods import Window
from currencies.models import ExchangeRate
from currencies.selectors import rate_table
from deals.models import DealLine, DealStatus
from tests import factories as f
from tests.analytics.conftest import NOW
from tests.analytics.expected import Rows, expected_kpis, month_starts

pytestmark = pytest.mark.django_db

FIRST_MONTH = date(2024, 4, 1)  # 15 months of history before NOW (mid-July 2025)
MONTHS = month_starts(FIRST_MONTH, NOW.date())
EUR_MONTHLY = {date(2025, m, 1): Decimal(v) for m, v in ((1, "1.0412"), (2, "1.0398"), (3, "1.0817"), (4, "1.1213"))}
EUR_MONTHLY |= {date(2025, m, 1): Decimal(v) for m, v in ((5, "1.1277"), (6, "1.1519"), (7, "1.1694"))}
EUR_DAILY = {date(2025, 3, 14): Decimal("1.0875"), date(2025, 6, 2): Decimal("1.1442")}
GBP_MONTHLY = {date(2025, m, 1): Decimal("1.2650") + m * Decimal("0.0101") for m in (1, 2, 4, 5, 6, 7)}


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _deal(partner, product, amount: str, currency: str, *, status: str, decided: datetime, closed=None, qty=1):
    return f.DealFactory(
        partner=partner,
        currency=currency,
        status=status,
        submitted_at=decided - timedelta(days=2),
        decided_at=decided,
        closed_at=closed,
        protection_expires_at=decided + timedelta(days=90),
        lines=[(product, qty, Decimal(amount))],
    )


@pytest.fixture
def mixed(settings):
    """Three partners dealing in four currencies, and the rate table described in the module docstring."""
    settings.PRM_REPORTING_CURRENCY = "USD"
    gold = f.TierFactory(name="Gold")
    region = f.RegionFactory(code="emea", name="EMEA")
    line = f.ProductLineFactory(code="net", name="Network")
    product = f.ProductFactory(product_line=line)
    euro = f.PartnerFactory(name="Euro Systems", tier=gold, region=region)
    pound = f.PartnerFactory(name="Pound Networks", tier=gold, region=region)
    dollar = f.PartnerFactory(name="Dollar Data", tier=gold, region=region)
    for day, rate in EUR_MONTHLY.items():
        f.ExchangeRateFactory(currency="EUR", date=day, granularity="month", rate=rate)
    for day, rate in EUR_DAILY.items():
        f.ExchangeRateFactory(currency="EUR", date=day, granularity="day", rate=rate)
    for day, rate in GBP_MONTHLY.items():
        f.ExchangeRateFactory(currency="GBP", date=day, granularity="month", rate=rate)
    won = DealStatus.WON
    # EUR: won at the monthly rate, at a daily rate (and one within a week after it), and an open deal.
    _deal(euro, product, "1000.00", "EUR", status=won, decided=at(date(2025, 2, 3)), closed=at(date(2025, 2, 20)))
    _deal(euro, product, "2500.55", "EUR", status=won, decided=at(date(2025, 3, 1)), closed=at(date(2025, 3, 14)))
    _deal(euro, product, "10.01", "EUR", status=won, decided=at(date(2025, 3, 2)), closed=at(date(2025, 3, 18)), qty=3)
    _deal(euro, product, "777.77", "EUR", status=won, decided=at(date(2025, 5, 30)), closed=at(date(2025, 6, 3)))
    _deal(euro, product, "4000.00", "EUR", status=DealStatus.APPROVED, decided=at(date(2025, 4, 20)))
    _deal(euro, product, "50.00", "USD", status=won, decided=at(date(2025, 3, 2)), closed=at(date(2025, 3, 9)))
    # GBP: March has no rate (a won deal and the open pipeline at its end are left out), April has one.
    _deal(pound, product, "1200.00", "GBP", status=won, decided=at(date(2025, 3, 3)), closed=at(date(2025, 3, 21)))
    _deal(pound, product, "300.00", "GBP", status=won, decided=at(date(2025, 4, 3)), closed=at(date(2025, 4, 10)))
    _deal(pound, product, "900.00", "GBP", status=DealStatus.APPROVED, decided=at(date(2025, 3, 10)))
    # JPY: no rate ever.
    _deal(pound, product, "150000", "JPY", status=won, decided=at(date(2025, 5, 2)), closed=at(date(2025, 5, 9)))
    # USD only: today's numbers exactly.
    _deal(dollar, product, "1234.56", "USD", status=won, decided=at(date(2025, 1, 5)), closed=at(date(2025, 1, 25)))
    _deal(dollar, product, "99.99", "USD", status=DealStatus.APPROVED, decided=at(date(2025, 6, 5)))
    return {"euro": euro, "pound": pound, "dollar": dollar, "line": line}


def _table():
    return rate_table(currencies=["EUR", "GBP", "JPY"], start=date(2024, 1, 1), end=NOW.date())


MONEY = ("won_revenue", "pipeline_value", "avg_won_deal", "deals_won")


def _assert_money(row: KpiSnapshot, expected: dict, label: str) -> None:
    for kpi in MONEY:
        value, actual = expected[kpi], getattr(row, kpi)
        if kpi == "avg_won_deal" and value is not None:
            assert abs(actual - value) <= Decimal("0.01"), f"{label} {kpi}: {actual} != {value}"
        else:
            assert actual == value, f"{label} {kpi}: stored {actual!r}, expected {value!r}"


def test_partner_and_ecosystem_money_equal_an_independent_conversion(mixed, run_recompute):
    run_recompute()
    rows, table = Rows.load(), _table()
    stored = {
        (r.partner_id, r.period_start): r for r in KpiSnapshot.objects.filter(dimension="partner", granularity="month")
    }
    for partner in (mixed["euro"], mixed["pound"], mixed["dollar"]):
        mine = rows.only({partner.pk})
        for month in MONTHS:
            expected = expected_kpis(mine, at(month), at(next_month(month)), NOW, rates=table)
            _assert_money(stored[(partner.pk, month)], expected, f"{partner.name} {month}")
    eco = {r.period_start: r for r in KpiSnapshot.objects.filter(dimension="ecosystem", granularity="month")}
    for month in MONTHS:
        _assert_money(eco[month], expected_kpis(rows, at(month), at(next_month(month)), NOW, rates=table), str(month))
    quarter = KpiSnapshot.objects.get(dimension="ecosystem", granularity="quarter", period_start=date(2025, 1, 1))
    _assert_money(quarter, expected_kpis(rows, at(date(2025, 1, 1)), at(date(2025, 4, 1)), NOW, rates=table), "Q1")


def test_worked_by_hand(mixed, run_recompute):
    """March 2025 of the euro partner: 2,500.55 EUR at the daily rate of the 14th (1.0875) = 2,719.35;
    3 × 10.01 = 30.03 EUR on the 18th, within a week of that daily rate = 32.66; 50.00 USD as it is.
    The pound partner's March sale (1,200 GBP) has no rate: its won revenue is 0, not 1,200."""
    run_recompute()
    march = KpiSnapshot.objects.filter(dimension="partner", granularity="month", period_start=date(2025, 3, 1))
    euro = march.get(partner=mixed["euro"])
    assert euro.won_revenue == Decimal("2719.35") + Decimal("32.66") + Decimal("50.00")
    assert euro.deals_won == 3
    pound = march.get(partner=mixed["pound"])
    assert (pound.deals_won, pound.won_revenue, pound.pipeline_value) == (1, Decimal("0.00"), Decimal("0.00"))
    # April: the open 900 GBP at April's last day is converted at April's GBP rate (1.3054).
    april = KpiSnapshot.objects.get(
        dimension="partner", granularity="month", period_start=date(2025, 4, 1), partner=mixed["pound"]
    )
    assert april.pipeline_value == Decimal("900.00") * GBP_MONTHLY[date(2025, 4, 1)]
    assert april.won_revenue == (Decimal("300.00") * GBP_MONTHLY[date(2025, 4, 1)]).quantize(Decimal("0.01"))


def test_missing_rates_are_left_out_and_reported(mixed, run_recompute):
    job = run_recompute()
    stored = {(r.kind, r.currency, r.month): (r.items, r.amount) for r in UnconvertedAmount.objects.all()}
    assert stored == {
        ("won", "GBP", date(2025, 3, 1)): (1, Decimal("1200.00")),
        ("pipeline", "GBP", date(2025, 3, 1)): (1, Decimal("900.00")),
        ("won", "JPY", date(2025, 5, 1)): (1, Decimal("150000.00")),
    }
    assert set(UnconvertedAmount.objects.values_list("run_id", flat=True)) == {job.pk}
    manager = f.ManagerFactory()
    notes = selectors.unconverted_amounts(user=manager, start=date(2025, 3, 1), end=date(2025, 4, 1))
    assert [n.text for n in notes] == [
        "GBP amounts of March 2025 have no rate: 1 open deal, 900.00 GBP not included",
        "GBP amounts of March 2025 have no rate: 1 won deal, 1,200.00 GBP not included",
    ]
    partner_user = f.PartnerUserFactory(partner=mixed["pound"])
    assert selectors.unconverted_amounts(user=partner_user) == []
    # A rate added later fills the gap on the next run, and the report goes.
    f.ExchangeRateFactory(currency="GBP", date=date(2025, 3, 1), granularity="month", rate=Decimal("1.29"))
    f.ExchangeRateFactory(currency="JPY", date=date(2025, 5, 1), granularity="month", rate=Decimal("0.0069"))
    run_recompute()
    assert not UnconvertedAmount.objects.exists()
    march = KpiSnapshot.objects.get(
        dimension="partner", granularity="month", period_start=date(2025, 3, 1), partner=mixed["pound"]
    )
    assert march.won_revenue == Decimal("1548.00")


def test_line_revenue_and_health_inputs_convert_the_same_way(mixed, run_recompute):
    run_recompute()
    table = _table()
    expected: Counter = Counter()
    for ln in DealLine.objects.filter(deal__status="won").select_related("deal", "product"):
        closed = ln.deal.closed_at.astimezone(UTC).date()
        value = table.convert(ln.quantity * ln.unit_price, ln.deal.currency, closed)
        if value is not None and closed >= FIRST_MONTH:
            expected[closed.replace(day=1)] += value
    stored = Counter({r.period_start: r.won_revenue for r in LineRevenue.objects.filter(granularity="month")})
    assert stored == +expected
    # Health: revenue of the trailing 90 days at each close date's rate; the pipeline at the rate of NOW's day.
    _, inputs, *_ = partner_results([mixed["euro"].pk], Window.full(NOW, 15))
    current = inputs[inputs["point"] == inputs["point"].max()].iloc[0]
    start = NOW - timedelta(days=90)
    won = [d for d in Rows.load().only({mixed["euro"].pk}).deals if d.status == "won" and start <= d.closed_at < NOW]
    revenue = sum(table.convert(d.amount, d.currency, d.closed_at.astimezone(UTC).date()) for d in won)
    assert revenue == (Decimal("777.77") * EUR_DAILY[date(2025, 6, 2)]).quantize(Decimal("0.01"))
    assert Decimal(str(current["revenue_90d"])) == revenue
    open_eur = (Decimal("4000.00") * EUR_MONTHLY[date(2025, 7, 1)]).quantize(Decimal("0.01"))
    assert Decimal(str(current["pipeline"])) == open_eur


def test_reporting_currency_deals_keep_their_numbers_exactly(mixed, run_recompute):
    """Only USD for this partner: the figures are the amounts as they are, with or without a rate table."""
    run_recompute()
    dollar = mixed["dollar"]
    with_rates = {
        r.period_start: (r.won_revenue, r.pipeline_value)
        for r in KpiSnapshot.objects.filter(partner=dollar, granularity="month")
    }
    assert with_rates[date(2025, 1, 1)] == (Decimal("1234.56"), Decimal("0.00"))
    assert with_rates[date(2025, 6, 1)] == (Decimal("0.00"), Decimal("99.99"))
    ExchangeRate.objects.all().delete()
    run_recompute()
    without = {
        r.period_start: (r.won_revenue, r.pipeline_value)
        for r in KpiSnapshot.objects.filter(partner=dollar, granularity="month")
    }
    assert without == with_rates
