"""Each activation figure against an independent computation over the raw units (constructed data).

The test keeps its own list of units sold and activations and counts by hand what every stored row and every
window should hold; the stored table comes from the worker's step, the window figures from the selectors.
"""

from __future__ import annotations

import statistics
from calendar import monthrange
from collections import defaultdict
from datetime import date, timedelta

import pytest

from activations.figures import activation_figures_compute
from activations.models import Activation, ActivationFigure
from activations.selectors import Window, lag_median, partner_activation_summary
from activations.services import activation_sellers_relink
from tests import factories as f

TODAY = date(2026, 6, 15)
MONTHS = [date(2026, m, 1) for m in range(1, 7)]


def month_end(month: date) -> date:
    return month.replace(day=monthrange(month.year, month.month)[1])


@pytest.fixture
def data(db, sell):
    gold = f.TierFactory(name="Gold")
    network = f.ProductLineFactory(code="net", name="Network")
    storage = f.ProductLineFactory(code="sto", name="Storage")
    switch = f.ProductFactory(sku="SW-1", product_line=network)
    disk = f.ProductFactory(sku="DK-1", product_line=storage)
    dist = f.PartnerFactory(name="Dist", partner_type="distributor", tier=gold)
    p1 = f.PartnerFactory(name="P1", tier=gold, parent=dist)
    p2 = f.PartnerFactory(name="P2", tier=gold)
    # (partner, product, serials, date, type): what each reported.
    lines = [
        (p1, switch, ["S1", "S2", "S3", "S4"], date(2026, 1, 10), "sale"),
        (p1, switch, ["S5", "S6"], date(2026, 2, 3), "drop_ship"),
        (p1, disk, ["D1", "D2", "D3"], date(2026, 2, 20), "sale"),
        (p1, switch, ["S2"], date(2026, 3, 1), "return"),  # a return sells nothing
        (p1, switch, ["S9"], date(2026, 3, 5), "transfer"),  # nor does a transfer
        (dist, switch, ["S7", "S8"], date(2026, 3, 2), "sale"),  # to P1 …
        (p1, switch, ["S7", "S8"], date(2026, 4, 9), "sale"),  # … who sells them on
        (p2, switch, ["T1", "T2", "T3"], date(2026, 5, 30), "sale"),
        (p2, disk, ["E1"], date(2026, 6, 2), "sale"),
    ]
    for partner, product, serials, day, kind in lines:
        sell(partner, product, serials, day, kind)
    # product, serial -> (activated_on, deactivated_on, units)
    activations = {
        (switch, "S1"): (date(2026, 1, 20), None, 1),  # 10 days
        (switch, "S2"): (date(2026, 1, 10), date(2026, 3, 31), 1),  # 0 days; gone on the last day of March
        (switch, "S3"): (date(2026, 1, 5), None, 1),  # before the sale: activated, no lag
        (switch, "S5"): (date(2026, 3, 10), date(2026, 5, 4), 2),  # 35 days
        (disk, "D1"): (date(2026, 2, 21), None, 5),  # 1 day
        (disk, "D2"): (date(2026, 4, 1), None, 1),  # 40 days
        (switch, "S7"): (date(2026, 4, 19), None, 1),  # 48 after the distributor, 10 after P1
        (switch, "T1"): (date(2026, 6, 1), None, 3),  # 2 days
        (switch, "NEVER"): (date(2026, 2, 1), None, 1),  # no partner sold it
    }
    batch = f.ImportBatchFactory(partner=None, kind="activations")
    for (product, serial), (on, off, units) in activations.items():
        Activation.objects.create(
            product=product,
            identifier=serial,
            activated_on=on,
            deactivated_on=off,
            status="deactivated" if off else "active",
            units=units,
            batch=batch,
        )
    activation_sellers_relink(activations=Activation.objects.all())
    usage = {
        ("S1", date(2026, 5, 1)): (1, "30.00"),
        ("S1", date(2026, 6, 1)): (1, "12.00"),
        ("D1", date(2026, 6, 1)): (4, "7.50"),
    }
    for (serial, month), (active, hours) in usage.items():
        f.UsageRecordFactory(
            activation=Activation.objects.get(identifier=serial), month=month, active_units=active, usage=hours
        )
    activation_figures_compute(today=TODAY)
    return {
        "partners": [dist, p1, p2],
        "lines": lines,
        "activations": {(p.pk, s): v for (p, s), v in activations.items()},
        "products": {switch.pk: network, disk.pk: storage},
        "usage": usage,
        "tier": gold,
    }


def expected(data) -> dict[tuple[int, int, date], dict]:
    """The figures of every (partner, line, month), counted from the raw lists."""
    cells: dict = defaultdict(lambda: {"sold": 0, "activated": 0, "lags": [], "base": 0, "active": 0})
    latest_sale: dict[tuple[int, str], tuple[date, int]] = {}
    for partner, product, serials, day, kind in data["lines"]:
        if kind not in ("sale", "drop_ship"):
            continue
        for serial in serials:
            cell = cells[(partner.pk, product.product_line_id, day.replace(day=1))]
            cell["sold"] += 1
            activation = data["activations"].get((product.pk, serial))
            if activation:
                cell["activated"] += 1
                if activation[0] >= day:
                    cell["lags"].append((activation[0] - day).days)
            if (product.pk, serial) not in latest_sale or day >= latest_sale[(product.pk, serial)][0]:
                latest_sale[(product.pk, serial)] = (day, partner.pk)
    serial_ids = {serial: pk for (pk, serial) in data["activations"]}
    for (product_id, serial), (on, off, units) in data["activations"].items():
        seller = latest_sale.get((product_id, serial))
        if seller is None:
            continue
        line_id = data["products"][product_id].pk
        for month in MONTHS:
            if on <= month_end(month) and (off is None or off > month_end(month)):
                cells[(seller[1], line_id, month)]["base"] += units
    for (serial, month), (active, _) in data["usage"].items():
        product_id = serial_ids[serial]
        seller = latest_sale[(product_id, serial)][1]
        cells[(seller, data["products"][product_id].pk, month)]["active"] += active
    return {key: cell for key, cell in cells.items() if any((cell["sold"], cell["base"], cell["active"]))}


def test_every_stored_row_matches_the_count_by_hand(data):
    want = expected(data)
    stored = {(r.partner_id, r.product_line_id, r.month): r for r in ActivationFigure.objects.all()}
    assert set(stored) == set(want)
    for key, cell in want.items():
        row = stored[key]
        lags = sorted(d for d, n in ((int(k), v) for k, v in row.lag_days.items()) for _ in range(n))
        assert (row.sold_units, row.activated_units, lags, row.installed_base, row.active_units) == (
            cell["sold"],
            cell["activated"],
            sorted(cell["lags"]),
            cell["base"],
            cell["active"],
        ), key


def test_a_few_rows_worked_by_hand(data):
    dist, p1, _ = data["partners"]
    net = data["products"][min(data["products"])].pk
    jan = ActivationFigure.objects.get(partner=p1, product_line_id=net, month=date(2026, 1, 1))
    # S1..S4 sold; S1, S2, S3 activated; lags 10 and 0 (S3 came before the sale).
    assert (jan.sold_units, jan.activated_units, jan.lag_days) == (4, 3, {"0": 1, "10": 1})
    # March end: S1 and S3 active (S2 went on 31 March), S5 (2 seats) active; S7 sold on to P1.
    march = ActivationFigure.objects.get(partner=p1, product_line_id=net, month=date(2026, 3, 1))
    assert march.installed_base == 4
    dist_march = ActivationFigure.objects.get(partner=dist, product_line_id=net, month=date(2026, 3, 1))
    assert (dist_march.sold_units, dist_march.activated_units, dist_march.lag_days, dist_march.installed_base) == (
        2,
        1,
        {"48": 1},
        0,
    )


def test_window_figures_and_the_tier_median(data):
    dist, p1, p2 = data["partners"]
    window = Window(date(2026, 1, 1), date(2026, 6, 1))
    want = expected(data)
    summary = partner_activation_summary(partner=p1, window=window, min_peers=3)
    mine = [cell for (p, _, _), cell in want.items() if p == p1.pk]
    sold, activated = sum(c["sold"] for c in mine), sum(c["activated"] for c in mine)
    lags = [lag for c in mine for lag in c["lags"]]
    assert summary.total.mine.sold == sold == 11
    assert summary.total.mine.share == pytest.approx(activated / sold)
    assert summary.total.mine.median_lag == statistics.median(lags)
    june_base = sum(c["base"] for (p, _, m), c in want.items() if p == p1.pk and m == date(2026, 6, 1))
    assert summary.total.mine.installed_base == june_base
    assert [point["installed_base"] for point in summary.trend] == [
        sum(c["base"] for (p, _, m), c in want.items() if p == p1.pk and m == month) for month in MONTHS
    ]
    assert [point["active_units"] for point in summary.trend] == [0, 0, 0, 0, 1, 5]

    def partner_share(partner):
        cells = [c for (p, _, _), c in want.items() if p == partner.pk]
        return sum(c["activated"] for c in cells) / sum(c["sold"] for c in cells)

    def partner_lag(partner):
        found = [lag for (p, _, _), c in want.items() if p == partner.pk for lag in c["lags"]]
        return statistics.median(found) if found else None

    partners = [dist, p1, p2]
    assert summary.tier_peers == 3
    assert summary.total.tier_share == pytest.approx(statistics.median(partner_share(p) for p in partners))
    assert summary.total.tier_lag == statistics.median(partner_lag(p) for p in partners if partner_lag(p) is not None)
    # With fewer peers than asked for, no median is shown.
    assert partner_activation_summary(partner=p1, window=window, min_peers=4).total.tier_share is None


def test_lag_median_of_histograms():
    assert lag_median([]) is None
    assert lag_median([{"3": 1}]) == 3
    assert lag_median([{"1": 1, "10": 1}, {"4": 2}]) == 4
    assert lag_median([{"1": 1, "10": 1}]) == 5.5
    assert lag_median([{"2": 2}, {"7": 1, "9": 1}]) == 4.5


def test_a_sellout_line_reported_later_moves_the_unit_to_its_seller(data, sell, django_capture_on_commit_callbacks):
    from ingest.services import import_batch_open
    from sellout.services import sellout_lines_upsert

    _, p1, p2 = data["partners"]
    switch = Activation.objects.get(identifier="NEVER").product
    batch = import_batch_open(kind="sellout", channel="api", partner=p2)
    row = {
        "invoice_number": "LATE-1",
        "invoice_line": 1,
        "date": date(2026, 1, 25),
        "transaction_type": "sale",
        "product": switch,
        "quantity": 1,
        "unit_price": "10.00",
        "currency": "USD",
        "serials": ["NEVER"],
    }
    from decimal import Decimal

    row["unit_price"] = Decimal(row["unit_price"])
    with django_capture_on_commit_callbacks(execute=True):
        sellout_lines_upsert(reporter=p2, rows=[row], batch=batch)
    unit = Activation.objects.get(identifier="NEVER")
    assert (unit.partner, unit.sold_on) == (p2, date(2026, 1, 25))
    stored = ActivationFigure.objects.get(partner=p2, product_line=switch.product_line, month=date(2026, 1, 1))
    assert (stored.sold_units, stored.activated_units, stored.lag_days) == (1, 1, {"7": 1})


def test_a_delivery_and_its_revert_refresh_the_figures_through_the_worker(world, catalog, sell, client_for):
    from django.test import TestCase

    from activations.tasks import refresh_figures
    from ingest.models import ImportBatch
    from ingest.services import import_batch_revert

    sell(world.partner_a, catalog["switch"], ["W1", "W2"], date.today() - timedelta(days=30))
    item = {"sku": "SW-100", "serial": "W1", "activated_on": str(date.today() - timedelta(days=25))}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for("manager").post("/api/v1/activations/", {"items": [item]}, format="json")
    assert response.status_code == 200
    stored = ActivationFigure.objects.get(
        partner=world.partner_a, month=(date.today() - timedelta(days=30)).replace(day=1)
    )
    assert (stored.sold_units, stored.activated_units, stored.lag_days) == (2, 1, {"5": 1})
    with TestCase.captureOnCommitCallbacks(execute=True):
        import_batch_revert(batch=ImportBatch.objects.get(pk=response.json()["batch"]), user=world.manager)
    stored = ActivationFigure.objects.get(partner=world.partner_a, month=stored.month)  # rows are replaced
    assert (stored.sold_units, stored.activated_units, stored.lag_days) == (2, 0, {})
    # The nightly run: every partner recomputed, every unit re-linked.
    ActivationFigure.objects.all().delete()
    assert refresh_figures() >= 1
    assert ActivationFigure.objects.get(partner=world.partner_a, month=stored.month).sold_units == 2
