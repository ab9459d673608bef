"""Constructed sales, stock reports, claims and lost deals for the product feedback tests (analytics, pages)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dateutil.relativedelta import relativedelta

from deals.models import DealStatus, LossReason
from tests import factories as f

SPIKE_MONTH = date(2026, 6, 1)


def build_feedback_data(world, spike_month: date = SPIKE_MONTH) -> dict:
    """Sales, stock reports, claims and lost deals of two regions: a spike of NW-A's claims in the Americas in
    `spike_month` (June 2026 unless given), ordinary figures the month before, and a baseline year of NW-B and
    NW-C that ends six months before the spike (January – December 2025 for June 2026)."""

    def shift(months: int, day: int) -> date:
        return (spike_month + relativedelta(months=months)).replace(day=day)

    network = f.ProductLineFactory(code="network", name="Network")
    storage = f.ProductLineFactory(code="storage", name="Storage")
    a, b, c = (f.ProductFactory(sku=s, product_line=network) for s in ("NW-A", "NW-B", "NW-C"))
    d = f.ProductFactory(sku="ST-D", product_line=storage)
    psu, fan = f.FailureCodeFactory(code="PSU"), f.FailureCodeFactory(code="FAN", description="Fan")
    pa, pb, reseller = world.partner_a, world.partner_b, world.reseller_of_distributor

    def sale(reporter, product, day, kind="sale", qty=1, to=None):
        f.SellOutLineFactory(
            reporter=reporter, product=product, date=day, transaction_type=kind, quantity=qty, sold_to_partner=to
        )

    def claim(partner, product, day, code=psu):
        f.WarrantyClaimFactory(
            partner=partner,
            product=product,
            failure_code=code,
            submitted_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
            purchase_date=shift(-30, 1),
            failure_date=shift(-29, 1),
        )

    # The baseline year: B and C sell 1,000 a month with 2 claims each (rate 0.002), in both regions.
    for month in range(-17, -5):
        day = shift(month, 10)
        for product in (b, c):
            f.InventoryReportFactory(partner=pa, product=product, date=day, units_sold=500)
            f.InventoryReportFactory(partner=pb, product=product, date=day, units_sold=500)
            claim(pa, product, day)
            claim(pb, product, day)
    # May 2026: A in EMEA by sell-out (10 sold − 2 returned; transfers and a sale to a partner do not count,
    # and the stock report of the same partner is ignored), in the Americas by stock only.
    may = shift(-1, 12)
    sale(pa, a, may, qty=10)
    sale(pa, a, may, kind="return", qty=2)
    sale(pa, a, may, kind="transfer", qty=5)
    sale(pa, a, may, qty=4, to=reseller)
    f.InventoryReportFactory(partner=pa, product=a, date=may, units_sold=50)
    f.InventoryReportFactory(partner=pb, product=a, date=may, units_sold=1000)
    # The reseller (EMEA) reported only a transfer of B: its sell-out (0) is used, not its stock report.
    sale(reseller, b, may, kind="transfer", qty=3)
    f.InventoryReportFactory(partner=reseller, product=b, date=may, units_sold=20)
    # June 2026: a spike of A in the Americas: 1,500 units, 12 claims against 3 expected.
    june = shift(0, 3)
    f.InventoryReportFactory(partner=pb, product=a, date=june, units_sold=1500)
    for i in range(12):
        claim(pb, a, june, code=fan if i % 3 == 0 else psu)
    claim(pa, a, may)
    claim(pa, a, may, code=fan)
    claim(pb, d, june)
    # Lost deals: A and B on one EMEA deal (price); A twice on one Americas deal before reasons (not recorded).
    price = LossReason.objects.get(code="price")
    f.DealFactory(
        partner=pa,
        reference="DR-2026-900001",
        status=DealStatus.LOST,
        loss_reason=price,
        closed_at=datetime.combine(shift(-1, 20), datetime.min.time(), tzinfo=UTC),
        lines=[(a, 1, "10"), (b, 2, "10")],
    )
    f.DealFactory(
        partner=pb,
        reference="DR-2026-900002",
        status=DealStatus.LOST,
        closed_at=datetime.combine(shift(0, 2), datetime.min.time(), tzinfo=UTC),
        lines=[(a, 1, "10"), (a, 3, "10")],
    )
    f.DealFactory(
        partner=pb,
        reference="DR-2026-900003",
        status=DealStatus.WON,
        closed_at=datetime.combine(shift(0, 2), datetime.min.time(), tzinfo=UTC),
        lines=[(a, 1, "10")],
    )
    return {"a": a, "b": b, "c": c, "d": d}
