"""Two-tier reconciliation on constructed data, every number worked by hand in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sellout.reconciliation import Tolerance, two_tier_reconciliation
from tests import factories as f

pytestmark = pytest.mark.django_db
MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)


def _line(reporter, product, day, kind, quantity, *, to=None, n=[0]):  # noqa: B006 - a counter for invoice numbers
    n[0] += 1
    return f.SellOutLineFactory(
        reporter=reporter,
        product=product,
        date=day,
        transaction_type=kind,
        quantity=quantity,
        sold_to_partner=to,
        invoice_number=f"R-{n[0]}",
    )


def _stock(partner, product, day, on_hand, units_sold):
    return f.InventoryReportFactory(partner=partner, product=product, date=day, on_hand=on_hand, units_sold=units_sold)


@pytest.fixture
def data():
    region = f.RegionFactory(code="recon", name="Recon")
    other_region = f.RegionFactory(code="elsewhere", name="Elsewhere")
    dist = f.PartnerFactory(name="Dist One", partner_type="distributor", region=region)
    reseller = f.PartnerFactory(name="Reseller One", region=region, parent=dist)
    other_dist = f.PartnerFactory(name="Dist Two", partner_type="distributor", region=other_region)
    other_reseller = f.PartnerFactory(name="Reseller Two", region=other_region, parent=other_dist)
    p, q = f.ProductFactory(sku="REC-P"), f.ProductFactory(sku="REC-Q")
    # Product P, March. Distributor: sale 10 + sale 5 - return 2 = 13 (the transfer of 7 sells nothing).
    _line(dist, p, date(2025, 3, 5), "sale", 10, to=reseller)
    _line(dist, p, date(2025, 3, 20), "sale", 5, to=reseller)
    _line(dist, p, date(2025, 3, 25), "return", 2, to=reseller)
    _line(dist, p, date(2025, 3, 26), "transfer", 7, to=reseller)
    # Reseller stock of P: opening 4 (Feb 28); end of March 8 -> change +4; units sold 6 + 2 = 8; received 12.
    _stock(reseller, p, date(2025, 2, 28), 4, 0)
    _stock(reseller, p, date(2025, 3, 15), 9, 6)
    _stock(reseller, p, date(2025, 3, 31), 8, 2)
    # Reseller's own sell-out of P in March: 6 + 3 - 1 = 8; received by sell-out 4 + 8 = 12.
    _line(reseller, p, date(2025, 3, 10), "sale", 6)
    _line(reseller, p, date(2025, 3, 18), "sale", 3)
    _line(reseller, p, date(2025, 3, 28), "return", 1)
    # Product Q, March: the distributor says 20; stock 0 -> 5 and 5 sold: received 10 (gap -10);
    # no sell-out line for Q although the reseller reported sell-out that month: 0, received 5 (gap -15).
    _line(dist, q, date(2025, 3, 7), "drop_ship", 20, to=reseller)
    _stock(reseller, q, date(2025, 2, 10), 0, 0)
    _stock(reseller, q, date(2025, 3, 31), 5, 5)
    # Product P, April: 3 sold to the reseller, which sent no stock report in April: incomplete.
    _line(dist, p, date(2025, 4, 8), "sale", 3, to=reseller)
    # Another region's pair, for visibility.
    _line(other_dist, p, date(2025, 3, 9), "sale", 50, to=other_reseller)
    return {"dist": dist, "reseller": reseller, "other_dist": other_dist, "p": p, "q": q, "region": region}


def _rows(user, **kwargs):
    rows = two_tier_reconciliation(user=user, first_month=MARCH, last_month=APRIL, tolerance=Tolerance(), **kwargs)
    return {(row.distributor.name, row.product.sku, row.month): row for row in rows}


def test_the_numbers_worked_by_hand(data):
    rows = _rows(f.ManagerFactory())
    march_p = rows[("Dist One", "REC-P", MARCH)]
    assert march_p.distributor_units == 13
    assert (march_p.stock_change, march_p.stock_sold, march_p.received_by_stock) == (4, 8, 12)
    assert (march_p.reseller_sellout, march_p.received_by_sellout) == (8, 12)
    assert (march_p.stock_gap, march_p.sellout_gap) == (-1, -1)
    assert not march_p.is_exception  # |-1| <= max(2, 5% of 13)

    march_q = rows[("Dist One", "REC-Q", MARCH)]
    assert march_q.distributor_units == 20
    assert (march_q.received_by_stock, march_q.received_by_sellout) == (10, 5)
    assert (march_q.stock_gap, march_q.sellout_gap) == (-10, -15)
    assert march_q.is_exception and len(march_q.exception_reasons) == 2

    april_p = rows[("Dist One", "REC-P", APRIL)]
    assert april_p.distributor_units == 3
    assert april_p.stock_change is None and april_p.received_by_stock is None
    assert april_p.reseller_sellout is None  # no sell-out line at all in April
    assert not april_p.is_complete and not april_p.is_exception

    assert rows[("Dist Two", "REC-P", MARCH)].distributor_units == 50
    assert len(rows) == 4


def test_the_tolerance_rule():
    tolerance = Tolerance(units=2, share=Decimal("0.05"))
    assert tolerance.allows(-2, 13) and not tolerance.allows(3, 13)
    assert tolerance.allows(5, 100) and not tolerance.allows(6, 100)  # 5% of 100 = 5
    assert tolerance.allows(0, 0) and not tolerance.allows(3, 0)


def test_exceptions_only(data):
    rows = two_tier_reconciliation(user=f.ManagerFactory(), first_month=MARCH, last_month=APRIL, exceptions_only=True)
    assert [(row.product.sku, row.month) for row in rows] == [("REC-Q", MARCH)]


def test_a_distributor_sees_its_own_pairs_and_a_regional_manager_its_regions(data):
    dist_admin = f.PartnerAdminFactory(partner=data["dist"])
    assert {key[0] for key in _rows(dist_admin)} == {"Dist One"}
    regional = f.ManagerFactory(regions=[data["region"]])
    assert {key[0] for key in _rows(regional)} == {"Dist One"}
    # A reseller has no sales to resellers of its own: nothing, and never its distributor's figures.
    reseller_admin = f.PartnerAdminFactory(partner=data["reseller"])
    assert _rows(reseller_admin) == {}


def test_query_count_does_not_grow_with_rows(data, django_assert_max_num_queries):
    manager = f.ManagerFactory()
    with django_assert_max_num_queries(7):
        two_tier_reconciliation(user=manager, first_month=MARCH, last_month=APRIL)
    for n in range(5):
        extra = f.ProductFactory(sku=f"REC-X{n}")
        _line(data["dist"], extra, date(2025, 3, 3), "sale", 2, to=data["reseller"])
        _stock(data["reseller"], extra, date(2025, 3, 30), 1, 1)
    with django_assert_max_num_queries(7):
        assert len(two_tier_reconciliation(user=manager, first_month=MARCH, last_month=APRIL)) == 9
