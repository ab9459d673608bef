"""An ecosystem with 14 months of activity, and its analytics computed by the real recompute service.

Times are relative to now, so the pages' default period (the last complete month)
has data. Alpha (EMEA, Gold) holds far too much stock; Bravo (Americas, Gold)
holds too little and files claims at an unusual rate; six more active Gold
partners make Alpha's tier large enough for anonymised quartiles.

The pages only read it, so it is built once per module (`dashboards_ecosystem`): each test gets its
own copy of the instances, and whatever a test writes is rolled back after it.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from analytics.services import recompute_start
from dashboards.periods import Period, default_period
from deals.models import DealStatus
from tests import factories as f
from tests.conftest import rows_for_module, shared_by_module

MONTHS = 14


@dataclass
class Eco:
    world: object
    now: datetime
    period: Period  # the last complete month: the pages' default
    products: list
    lines: list
    gold_peers: list = field(default_factory=list)
    silver: object = None

    @property
    def query(self) -> str:
        return f"period=month&month={self.period.start:%Y-%m}"


def _at(month_start, day: int, hour: int = 10) -> datetime:
    return datetime(month_start.year, month_start.month, day, hour, tzinfo=UTC)


def activity(partner, rng: random.Random, months: list, products: list, *, size: int, stock=(40, 30), claims=1):
    """Deals in each state every month, a stock report per product each month, some claims and sell-out."""
    customer = f.CustomerFactory()
    for month in months:
        for _ in range(size):
            product = rng.choice(products)
            price = Decimal(rng.choice(["500.00", "1250.00", "2000.00"]))
            submitted = _at(month, rng.randint(1, 8))
            decided = submitted + timedelta(hours=rng.randint(4, 90))
            closed = decided + timedelta(days=rng.randint(2, 12))
            outcome = rng.choice([DealStatus.WON, DealStatus.WON, DealStatus.LOST, DealStatus.REJECTED])
            f.DealFactory(
                partner=partner,
                customer=customer,
                status=outcome,
                submitted_at=submitted,
                decided_at=decided,
                closed_at=None if outcome == DealStatus.REJECTED else closed,
                protection_expires_at=None if outcome == DealStatus.REJECTED else decided + timedelta(days=90),
                lines=[(product, rng.randint(1, 4), price)],
            )
        f.DealFactory(
            partner=partner,
            customer=customer,
            status=DealStatus.APPROVED,
            submitted_at=_at(month, 20),
            decided_at=_at(month, 21),
            protection_expires_at=_at(month, 21) + timedelta(days=90),
            lines=[(products[0], 2, Decimal("900.00"))],
        )
        on_hand, sold = stock
        for product in products[:2]:
            f.InventoryReportFactory(
                partner=partner, product=product, date=_at(month, 25).date(), on_hand=on_hand, units_sold=sold
            )
        # Sell-out: a sale and a return to the partner's own country, and a sale in EUR, which has no rate here.
        for kind, quantity, currency in (("sale", 3, "USD"), ("return", 1, "USD"), ("sale", 2, "EUR")):
            f.SellOutLineFactory(
                reporter=partner,
                date=_at(month, 18).date(),
                transaction_type=kind,
                product=products[0],
                quantity=quantity,
                unit_price=Decimal("100.00"),
                currency=currency,
                customer=customer,
                customer_match="matched",
                end_customer_country=partner.country,
            )
        for _ in range(claims):
            f.WarrantyClaimFactory(
                partner=partner,
                product=products[1],
                submitted_at=_at(month, 12),
                status="approved",
                decided_at=_at(month, 14),
                failure_code=f.FailureCodeFactory(code=rng.choice(["PSU", "FAN"])),
            )


def recompute(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = recompute_start()
    run.refresh_from_db()
    assert run.status == "succeeded", run.error


def build_eco(world, capture) -> Eco:
    """The data described in the module docstring, then a full analytics recompute (`capture` runs on_commit)."""
    now = timezone.now()
    period = default_period(now.date())
    months = [period.start - relativedelta(months=i) for i in range(MONTHS - 1, -1, -1)]
    network = f.ProductLineFactory(code="network", name="Networking")
    storage = f.ProductLineFactory(code="storage", name="Storage")
    products = [
        f.ProductFactory(product_line=network),
        f.ProductFactory(product_line=storage),
        f.ProductFactory(product_line=network),
    ]
    rng = random.Random(6)
    w = world
    activity(w.partner_a, rng, months, products, size=4, stock=(900, 20), claims=1)
    activity(w.partner_b, rng, months, products, size=3, stock=(3, 60), claims=10)
    activity(w.distributor, rng, months, products, size=2, stock=(60, 60))
    activity(w.reseller_of_distributor, rng, months, products, size=1)
    peers = []
    for i, region in enumerate([w.emea, w.amer, w.emea, w.amer]):
        peer = f.PartnerFactory(name=f"Peer Gold {i}", region=region, country="DE")
        activity(peer, rng, months, products, size=1 + i % 3)
        peers.append(peer)
    silver = f.PartnerFactory(name="Silverline Ltd", region=w.amer, country="US", tier=f.TierFactory(name="Silver"))
    activity(silver, rng, months, products, size=2)
    f.CertificationFactory(partner=w.partner_a, name="Network Professional")
    recompute(capture)
    return Eco(
        world=w, now=now, period=period, products=products, lines=[network, storage], gold_peers=peers, silver=silver
    )


@shared_by_module
def dashboards_ecosystem(shared_world, django_db_blocker) -> Iterator[Eco]:
    """`build_eco` over the module's world, once for all the tests of a module."""
    yield from rows_for_module(django_db_blocker, lambda: build_eco(shared_world, TestCase.captureOnCommitCallbacks))


@pytest.fixture
def eco(dashboards_ecosystem, db) -> Eco:
    """This test's copy of the module's ecosystem; the cache starts empty, as it would on new rows."""
    cache.clear()
    return copy.deepcopy(dashboards_ecosystem)
