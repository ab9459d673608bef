"""Claims per 1,000 units counts the claims of partners that reported the units sold (DESIGN §3 as defined in
`analytics.definitions`): a service partner that sells nothing adds no claims to the ecosystem's figure, shows
"—" itself, and peer quartiles are taken over the partners with units."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analytics.models import KpiSnapshot
from analytics.selectors import tier_medians
from inventory.models import InventoryReport
from partners.models import Partner
from tests import factories as f
from warranty.models import WarrantyClaim

pytestmark = pytest.mark.django_db

MONTH = date(2025, 5, 1)


def _claims(partner, count: int, day: int) -> None:
    for _ in range(count):
        f.WarrantyClaimFactory(partner=partner, submitted_at=datetime(2025, 5, day, 9, tzinfo=UTC), status="submitted")


def test_claims_count_only_beside_the_units_they_relate_to(run_recompute):
    gold = f.TierFactory(name="Gold")
    product = f.ProductFactory()
    service = f.PartnerFactory(name="Fixers", tier=gold, partner_type=Partner.Type.SERVICE_PARTNER)
    sellers = [f.PartnerFactory(name=f"Seller {i}", tier=gold) for i in range(3)]
    _claims(service, 40, 10)  # repairs products others sold: no units of its own
    for i, seller in enumerate(sellers):
        f.InventoryReportFactory(
            partner=seller, product=product, date=date(2025, 5, 20), on_hand=50, units_sold=100 * (i + 1)
        )
        _claims(seller, i + 1, 12)
    # A seller's claim in a month in which it reported nothing sold does not count beside May's units.
    _claims(sellers[0], 2, 1)
    f.InventoryReportFactory(partner=sellers[0], product=product, date=date(2025, 4, 20), on_hand=50, units_sold=0)
    WarrantyClaim.objects.filter(partner=sellers[0], submitted_at__day=1).update(
        submitted_at=datetime(2025, 4, 25, 9, tzinfo=UTC)
    )
    run_recompute()

    # Independently, from the raw rows: claims of a partner in a month in which it reported units sold.
    units = {p.pk: sum(r.units_sold for r in InventoryReport.objects.filter(partner=p, date__month=5)) for p in sellers}
    claims = {p.pk: WarrantyClaim.objects.filter(partner=p, submitted_at__month=5).count() for p in sellers}
    eco = KpiSnapshot.objects.get(dimension="ecosystem", granularity="month", period_start=MONTH)
    assert eco.claims_submitted == 40 + sum(claims.values())  # every claim is still counted as a claim
    assert eco.claims_per_1000_units == pytest.approx(1000 * sum(claims.values()) / sum(units.values()))

    def row(partner, start=MONTH, granularity="month"):
        return KpiSnapshot.objects.get(partner=partner, granularity=granularity, period_start=start)

    assert row(service).claims_submitted == 40 and row(service).claims_per_1000_units is None  # shown as "—"
    for seller in sellers:
        assert row(seller).claims_per_1000_units == pytest.approx(1000 * claims[seller.pk] / units[seller.pk])
    april = row(sellers[0], date(2025, 4, 1))
    assert april.claims_submitted == 2 and april.claims_per_1000_units is None  # nothing sold in April
    # The quarter adds up its months: April's two claims had no units beside them.
    quarter = row(sellers[0], date(2025, 4, 1), "quarter")
    assert quarter.claims_per_1000_units == pytest.approx(1000 * claims[sellers[0].pk] / units[sellers[0].pk])

    # The tier median is that of the partners with units (the service partner has no figure, not a zero).
    rates = sorted(1000 * claims[p.pk] / units[p.pk] for p in sellers)
    medians = tier_medians(tier_id=gold.pk, granularity="month", starts=[MONTH], kpis=["claims_per_1000_units"])
    assert medians[MONTH]["claims_per_1000_units"] == pytest.approx(rates[1])
