"""The demo's activations step: a plausible share of the sold serials, nothing when none were sold."""

from __future__ import annotations

from datetime import date

import numpy as np

from activations.models import Activation, ActivationFigure, UsageRecord
from demo.activations import seed_activations
from ingest.models import ImportBatch
from tests import factories as f

ANCHOR = date(2026, 6, 15)


def test_without_sold_serials_the_step_writes_nothing(db):
    counts = seed_activations(np.random.default_rng(1), ANCHOR)
    assert counts["sold serials"] == 0
    assert not Activation.objects.exists() and not ImportBatch.objects.exists()


def test_a_plausible_share_is_activated_after_the_sale_and_a_rerun_replaces_it(db, sell):
    line = f.ProductLineFactory(code="net", name="Network")
    switch = f.ProductFactory(sku="SW-D", product_line=line)
    partners = [f.PartnerFactory(name=f"Demo {n}", is_demo=True) for n in range(6)]
    real = f.PartnerFactory(name="Real partner", is_demo=False)
    for n, partner in enumerate(partners):
        for month in range(1, 7):
            day = date(2026, month, 3 + n)
            sell(partner, switch, [f"D{n}-{month}-{k}" for k in range(10)], day)
    sell(real, switch, ["REAL-1"], date(2026, 1, 5))
    counts = seed_activations(np.random.default_rng(7), ANCHOR)
    assert counts["sold serials"] == 360
    units = list(Activation.objects.select_related("sale_line"))
    assert 0.35 * 360 < len(units) < 0.9 * 360
    assert all(u.activated_on <= ANCHOR and u.sold_on <= u.activated_on for u in units)
    assert all(u.partner in partners and u.sale_line.reporter == u.partner for u in units)
    assert not Activation.objects.filter(identifier="REAL-1").exists()
    for record in UsageRecord.objects.select_related("activation"):
        activation = record.activation
        assert record.month >= activation.activated_on.replace(day=1) and record.month <= ANCHOR
        assert activation.deactivated_on is None or record.month < activation.deactivated_on.replace(day=1)
        assert 0 < record.active_units <= activation.units
    assert UsageRecord.objects.filter(month__lt=date(2026, 1, 1)).count() == 0
    assert ActivationFigure.objects.filter(partner__in=partners).exists()
    assert ImportBatch.objects.filter(reference="seed_demo").count() == 2

    again = seed_activations(np.random.default_rng(7), ANCHOR)
    assert again["activations deleted"] == len(units) and again["activations"] == len(units)
    assert ImportBatch.objects.filter(reference="seed_demo").count() == 2
    assert Activation.objects.filter(activated_on__gt=ANCHOR).count() == 0
