"""Sell-out KPIs worked by hand on a few lines: returns, transfers, drop-ships, mixed currencies with daily and
monthly rates, missing rates, end customers matched and candidates, first sales before the history; for a
partner, a region, the ecosystem and a product line, by month and quarter; the stored groups by product line
and country; and the refresh that a sell-out delivery queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from analytics import runs, tasks
from analytics.models import Dimension, KpiSnapshot, LineSellOut
from sellout.models import EndCustomerCandidate
from sellout.services import sellout_lines_upsert
from tests import factories as f
from tests.analytics.conftest import NOW

pytestmark = pytest.mark.django_db

JUNE, MAY, Q2 = date(2025, 6, 1), date(2025, 5, 1), date(2025, 4, 1)


@dataclass
class World:
    p: object
    q: object
    s: object
    r1: object
    x_line: object
    y_line: object
    x: object
    y: object


@pytest.fixture
def world() -> World:
    r1, r2 = f.RegionFactory(code="r1", name="Region One"), f.RegionFactory(code="r2", name="Region Two")
    gold, silver = f.TierFactory(name="Gold"), f.TierFactory(name="Silver")
    x_line, y_line = f.ProductLineFactory(code="xl", name="X line"), f.ProductLineFactory(code="yl", name="Y line")
    x, y = f.ProductFactory(product_line=x_line), f.ProductFactory(product_line=y_line)
    p = f.PartnerFactory(name="P", region=r1, tier=gold, partner_type="reseller")
    q = f.PartnerFactory(name="Q", region=r1, tier=gold, partner_type="reseller")
    s = f.PartnerFactory(name="S", region=r2, tier=silver, partner_type="reseller")
    # EUR: a monthly rate for June 2025 only; GBP: a daily rate on 2 June (it reaches 7 days on); JPY: none.
    f.ExchangeRateFactory(currency="EUR", date=JUNE, granularity="month", rate=Decimal("1.10"))
    f.ExchangeRateFactory(currency="GBP", date=date(2025, 6, 2), granularity="day", rate=Decimal("1.25"))
    c1, c2, c3, c4, c5 = (f.CustomerFactory() for _ in range(5))
    k1 = EndCustomerCandidate.objects.create(name="Prospect", normalised_name="prospect")

    def line(reporter, day, kind, product, quantity, price, currency="USD", who=None, country=""):
        candidate = who if isinstance(who, EndCustomerCandidate) else None
        f.SellOutLineFactory(
            reporter=reporter,
            date=day,
            transaction_type=kind,
            product=product,
            quantity=quantity,
            unit_price=Decimal(price),
            currency=currency,
            customer=None if candidate else who,
            customer_candidate=candidate,
            customer_match="candidate" if candidate else "matched" if who else "none",
            end_customer_country=country,
        )

    line(p, date(2025, 6, 3), "sale", x, 10, "100.00", who=c1, country="DE")  # +10 units, +1,000.00
    line(p, date(2025, 6, 10), "return", x, 2, "100.00", who=c1, country="DE")  # -2, -200.00
    line(p, date(2025, 6, 12), "transfer", x, 5, "100.00")  # counts nothing
    line(p, date(2025, 6, 20), "drop_ship", y, 4, "50.00", "EUR", who=k1, country="FR")  # +4, 200 EUR = 220.00
    line(p, date(2025, 6, 5), "sale", y, 3, "10.00", "GBP", who=c2)  # +3, 30 GBP × 1.25 (2 June) = 37.50
    line(p, date(2025, 6, 25), "sale", x, 1, "1000.00", "JPY", who=c2)  # +1, no JPY rate: left out, reported
    line(p, date(2025, 5, 15), "sale", x, 2, "10.00", "EUR", who=c1)  # +2 in May, no EUR rate for May
    line(p, date(2024, 1, 10), "sale", x, 1, "5.00", who=c3)  # before the history: C3's first sale
    line(p, date(2025, 6, 15), "sale", x, 1, "5.00", who=c3)  # +1, +5.00; C3 reached again, not new
    line(q, date(2025, 6, 7), "sale", x, 5, "20.00", who=c1, country="DE")  # +5, +100.00
    line(q, date(2025, 4, 2), "sale", y, 1, "10.00", who=c4)
    line(s, date(2025, 6, 8), "sale", x, 2, "10.00", who=c5)
    return World(p, q, s, r1, x_line, y_line, x, y)


def row(dimension: str, key, granularity: str, start: date) -> KpiSnapshot:
    return KpiSnapshot.objects.get(dimension=dimension, key=str(key), granularity=granularity, period_start=start)


def test_a_partner_month_and_quarter_worked_by_hand(world, run_recompute):
    run_recompute()
    june = row(Dimension.PARTNER, world.p.pk, "month", JUNE)
    assert june.sellout_units == 10 - 2 + 0 + 4 + 3 + 1 + 1
    assert june.sellout_units_sold == 10 + 4 + 3 + 1 + 1 and june.sellout_units_returned == 2
    assert june.returns_rate == pytest.approx(2 / 19)
    assert june.sellout_revenue == Decimal("1000.00") - Decimal("200.00") + Decimal("220.00") + Decimal("37.50") + 5
    assert june.sellout_lines_unconverted == 1  # the JPY line: never converted at 1.0
    assert june.end_customers_reached == 4  # C1, the candidate, C2, C3 (a return reaches no one)
    assert june.new_end_customers == 2  # the candidate and C2: C1 bought in May, C3 in January 2024
    may = row(Dimension.PARTNER, world.p.pk, "month", MAY)
    assert (may.sellout_units, may.sellout_revenue, may.sellout_lines_unconverted) == (2, Decimal("0.00"), 1)
    assert (may.end_customers_reached, may.new_end_customers) == (1, 1)
    quarter = row(Dimension.PARTNER, world.p.pk, "quarter", Q2)
    assert (quarter.sellout_units, quarter.sellout_revenue) == (19, Decimal("1062.50"))
    assert quarter.sellout_lines_unconverted == 2
    assert quarter.returns_rate == pytest.approx(2 / 21)
    # Distinct over the quarter, not months added up: C1 bought in May and June.
    assert quarter.end_customers_reached == 4 and quarter.new_end_customers == 3
    # A month with nothing sold has no returns rate (empty, not 0) and zero counts.
    april = row(Dimension.PARTNER, world.p.pk, "month", Q2)
    assert april.returns_rate is None and (april.sellout_units, april.end_customers_reached) == (0, 0)


def test_groups_and_the_ecosystem_count_a_customer_once(world, run_recompute):
    run_recompute(chunk_partners=1)  # every partner in its own chunk: groups are added up across chunks
    q_june = row(Dimension.PARTNER, world.q.pk, "month", JUNE)
    assert (q_june.end_customers_reached, q_june.new_end_customers) == (1, 1)  # C1 is new to Q
    region = row(Dimension.REGION, world.r1.pk, "month", JUNE)
    assert region.sellout_units == 17 + 5 and region.sellout_revenue == Decimal("1162.50")
    # P and Q both reached C1: the region reached 4, not 4 + 1; C1 is not new to the region (P sold in May).
    assert (region.end_customers_reached, region.new_end_customers) == (4, 2)
    eco = row(Dimension.ECOSYSTEM, "", "month", JUNE)
    assert (eco.sellout_units, eco.sellout_revenue, eco.sellout_lines_unconverted) == (24, Decimal("1182.50"), 1)
    assert (eco.end_customers_reached, eco.new_end_customers) == (5, 3)  # + C5; new: candidate, C2, C5
    eco_q2 = row(Dimension.ECOSYSTEM, "", "quarter", Q2)
    # C1, the candidate, C2, C3, C4 (April), C5; all new in the quarter but C3 (January 2024).
    assert (eco_q2.end_customers_reached, eco_q2.new_end_customers) == (6, 5)
    # A product line: its own lines, its customers' first purchase of the line.
    x_june = row(Dimension.PRODUCT_LINE, world.x_line.pk, "month", JUNE)
    assert x_june.sellout_units == 10 - 2 + 0 + 1 + 1 + 5 + 2
    assert x_june.sellout_revenue == Decimal("1000.00") - Decimal("200.00") + 5 + 100 + 20
    assert (x_june.end_customers_reached, x_june.new_end_customers) == (4, 2)  # C1, C2, C3, C5; new C2 and C5


def test_stored_groups_by_product_line_and_country(world, run_recompute):
    run_recompute(chunk_partners=2)
    june = LineSellOut.objects.filter(granularity="month", period_start=JUNE)
    de = june.get(region=world.r1, product_line=world.x_line, country="DE")
    # P's sale and return to DE and Q's sale to DE: one group (same region, tier and type).
    assert (de.sellout_units, de.sellout_units_sold, de.sellout_units_returned) == (13, 15, 2)
    assert de.sellout_revenue == Decimal("900.00") and de.sellout_lines_unconverted == 0
    unreported = june.get(region=world.r1, product_line=world.x_line, country="")
    assert (unreported.sellout_units, unreported.sellout_lines_unconverted) == (2, 1)  # C3's and the JPY line
    # The groups of a product line add up to its row, and every group to the ecosystem.
    x_row = row(Dimension.PRODUCT_LINE, world.x_line.pk, "month", JUNE)
    x_groups = june.filter(product_line=world.x_line)
    assert sum(g.sellout_units for g in x_groups) == x_row.sellout_units
    assert sum((g.sellout_revenue for g in x_groups), Decimal(0)) == x_row.sellout_revenue
    eco_q2 = row(Dimension.ECOSYSTEM, "", "quarter", Q2)
    quarter = LineSellOut.objects.filter(granularity="quarter", period_start=Q2)
    assert sum(g.sellout_units for g in quarter) == eco_q2.sellout_units
    assert sum((g.sellout_revenue for g in quarter), Decimal(0)) == eco_q2.sellout_revenue
    assert sum(g.sellout_lines_unconverted for g in quarter) == eco_q2.sellout_lines_unconverted == 2


def test_a_partner_refresh_recomputes_its_sell_out(world, run_recompute):
    run_recompute()
    f.SellOutLineFactory(reporter=world.s, date=date(2025, 6, 9), product=world.x, quantity=3, unit_price=Decimal(1))
    runs.partner_refresh(partner_id=world.s.pk, now=NOW)
    june = row(Dimension.PARTNER, world.s.pk, "month", JUNE)
    assert (june.sellout_units, june.sellout_revenue) == (5, Decimal("23.00"))


def test_a_sell_out_delivery_queues_one_debounced_refresh(
    world, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.PRM_ANALYTICS_REFRESH_DEBOUNCE_SECONDS = 30
    cache.clear()
    calls: list = []
    real = tasks.refresh_partner.apply_async

    def record(args, countdown=None, **kwargs):
        calls.append((args, countdown))
        return real(args, countdown=countdown, **kwargs)

    monkeypatch.setattr(tasks.refresh_partner, "apply_async", record)
    batch = f.ImportBatchFactory(partner=world.q)
    today = date.today()
    rows = [
        {
            "invoice_number": f"INV-{i}",
            "invoice_line": 1,
            "date": today - timedelta(days=i),
            "transaction_type": "sale",
            "product": world.x,
            "quantity": 2,
            "unit_price": Decimal("10.00"),
            "currency": "USD",
        }
        for i in range(3)
    ]
    for chunk in (rows[:2], rows[2:]):
        with django_capture_on_commit_callbacks(execute=True):
            sellout_lines_upsert(reporter=world.q, rows=chunk, batch=batch)
    assert calls == [((world.q.pk,), 31)]  # two deliveries in the quiet period: one refresh
    # Eager tasks ran it at once; a worker runs it after the quiet period, when it reads both deliveries.
    tasks.refresh_partner(world.q.pk)
    month = KpiSnapshot.objects.get(partner=world.q, granularity="month", period_start=today.replace(day=1))
    in_month = sum(1 for r in rows if r["date"] >= today.replace(day=1))
    assert month.sellout_units == 2 * in_month and month.sellout_revenue == Decimal("20.00") * in_month
    cache.clear()


def test_a_code_that_is_not_plain_letters_never_reaches_the_sql_and_has_no_rate(world):
    from analytics import loaders

    f.SellOutLineFactory(reporter=world.s, date=date(2025, 6, 9), product=world.x, currency="X'Y")
    f.SellOutLineFactory(reporter=world.s, date=date(2025, 6, 9), product=world.x, end_customer_country="D'")
    frame = loaders.load_sellout([world.s.pk], date(2025, 1, 1)).sort_values("currency")
    assert sorted(frame["currency"]) == ["", "USD", "USD"]  # read as no currency: no rate, never 1.0
    odd = frame[frame["currency"] == ""].iloc[0]
    assert odd["sign"] == 1 and odd["amount"] != odd["amount"]  # NaN: left out of the revenue
    assert sorted(frame["country"]) == ["", "", ""]


def test_a_chunk_without_sell_out_reads_an_empty_frame(world):
    from analytics import loaders

    lonely = f.PartnerFactory(region=world.r1)
    frame = loaders.load_sellout([lonely.pk], date(2025, 1, 1))
    assert frame.empty and {"currency", "country", "amount", "sign"} <= set(frame.columns)
    assert loaders.load_sellout_customers([lonely.pk], date(2025, 1, 1)).empty
