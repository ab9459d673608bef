"""A generated ecosystem with the awkward cases the KPI formulas must get right.

Rows are built with the factories at fixed times (NOW is mid-July 2025), so every
expected number is reproducible. `Eco` keeps the partners, product lines and
times that tests refer to.

A module whose tests do not commit shares one ecosystem (`analytics_ecosystem`, built and computed once):
`computed` gives it with its analytics, `eco` without them (deleted for the test, restored after it).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import TestCase, override_settings

from analytics import services
from deals.models import DealStatus
from tests import factories as f
from tests.conftest import rows_for_module, shared_by_module

NOW = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)
HISTORY_START = datetime(2024, 4, 1, tzinfo=UTC)  # the data starts a little before the 15 months of history


@dataclass
class Eco:
    gold: object
    silver: object
    emea: object
    amer: object
    network: object
    storage: object
    products: list
    partners: list = field(default_factory=list)
    no_deals: object = None
    decisions_only: object = None
    inactive: object = None


def _rand_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = (end - start).total_seconds()
    return start + timedelta(seconds=int(rng.random() * span))


def make_deal(partner, customer, lines, *, submitted, status, decided=None, closed=None, expires=None, conflict=False):
    return f.DealFactory(
        partner=partner,
        customer=customer,
        status=status,
        submitted_at=submitted,
        decided_at=decided,
        closed_at=closed,
        protection_expires_at=expires,
        has_conflict=conflict,
        lines=lines,
    )


def random_deals(rng: random.Random, partner, customer, products, count: int) -> None:
    """Deals in every state, with times spread over the history and decisions up to NOW."""
    for _ in range(count):
        submitted = _rand_time(rng, HISTORY_START, NOW - timedelta(hours=2))
        lines = [
            (product, rng.randint(1, 5), Decimal(rng.choice(["99.99", "250.00", "1234.56", "10.01"])))
            for product in rng.sample(products, rng.randint(1, 2))
        ]
        roll = rng.random()
        conflict = rng.random() < 0.15
        if roll < 0.1:
            make_deal(partner, customer, lines, submitted=submitted, status=DealStatus.SUBMITTED, conflict=conflict)
            continue
        decided = min(submitted + timedelta(hours=rng.uniform(0.5, 240)), NOW - timedelta(minutes=5))
        if roll < 0.25:
            make_deal(partner, customer, lines, submitted=submitted, status=DealStatus.REJECTED, decided=decided)
            continue
        expires = decided + timedelta(days=90)
        outcome = rng.choice(["approved", "won", "won", "lost", "expired", "withdrawn"])
        closed = None
        if outcome in ("won", "lost", "withdrawn"):
            closed = decided + timedelta(days=rng.uniform(0.1, 89))
            if closed >= NOW:
                outcome, closed = "approved", None
        elif outcome == "expired":
            closed = expires + timedelta(hours=rng.uniform(0, 2))
            if closed >= NOW:
                outcome, closed = "approved", None
        make_deal(
            partner,
            customer,
            lines,
            submitted=submitted,
            status=outcome,
            decided=decided,
            closed=closed,
            expires=expires,
            conflict=conflict,
        )


def random_stock(rng: random.Random, partner, products) -> None:
    for product in products:
        day = date(2024, 5, 3) + timedelta(days=rng.randint(0, 20))
        while day <= NOW.date():
            sold = 0 if rng.random() < 0.2 else rng.randint(1, 40)
            f.InventoryReportFactory(
                partner=partner, product=product, date=day, on_hand=rng.choice([0, 5, 17, 60]), units_sold=sold
            )
            day += timedelta(days=rng.randint(9, 40))


def random_claims(rng: random.Random, partner, products, count: int) -> None:
    for _ in range(count):
        submitted = _rand_time(rng, HISTORY_START, NOW - timedelta(hours=1))
        roll = rng.random()
        decided = min(submitted + timedelta(days=rng.uniform(0.2, 20)), NOW - timedelta(minutes=1))
        if roll < 0.25:
            status, decided = rng.choice(["submitted", "under_review"]), None
        else:
            status = rng.choice(["approved", "paid", "rejected"])
        f.WarrantyClaimFactory(
            partner=partner,
            product=rng.choice(products),
            customer=None,
            submitted_at=submitted,
            decided_at=decided,
            status=status,
            approved_amount=Decimal("50.00") if status in ("approved", "paid") else None,
        )


def random_tickets(rng: random.Random, partner, products, count: int) -> None:
    """Support tickets: open ones, resolved ones (some once reopened, some late), some opened before the
    history and resolved inside it, resolution times from minutes to weeks."""
    category = f.TicketCategoryFactory(code="hardware-fault")
    for _ in range(count):
        opened = _rand_time(rng, HISTORY_START - timedelta(days=20), NOW - timedelta(hours=1))
        resolved = opened + timedelta(seconds=int(rng.uniform(0.2, 400) * 3600))
        done = rng.random() < 0.75 and resolved < NOW
        status = (
            rng.choice(["resolved", "closed"]) if done else rng.choice(["new", "in_progress", "waiting_on_partner"])
        )
        f.TicketFactory(
            partner=partner,
            product=rng.choice(products),
            category=category,
            opened_at=opened,
            status=status,
            resolved_at=resolved if done else None,
            closed_at=resolved + timedelta(days=2) if status == "closed" else None,
            reopen_count=rng.choice([0, 0, 0, 1, 2]),
            first_response_breached=rng.random() < 0.15,
            resolution_breached=rng.random() < 0.2,
        )


def build_ecosystem(seed: int = 7, deals_per_partner: int = 45) -> Eco:
    rng = random.Random(seed)
    gold, silver = f.TierFactory(name="Gold"), f.TierFactory(name="Silver")
    emea, amer = f.RegionFactory(code="emea", name="EMEA"), f.RegionFactory(code="amer", name="Americas")
    network = f.ProductLineFactory(code="network", name="Network")
    storage = f.ProductLineFactory(code="storage", name="Storage")
    products = [f.ProductFactory(product_line=network), f.ProductFactory(product_line=network)]
    products.append(f.ProductFactory(product_line=storage))
    eco = Eco(gold=gold, silver=silver, emea=emea, amer=amer, network=network, storage=storage, products=products)
    customer = f.CustomerFactory()
    specs = [
        ("Aurora", gold, emea, "reseller"),
        ("Boreal", gold, amer, "distributor"),
        ("Cirrus", gold, emea, "reseller"),
        ("Dune", silver, amer, "system_integrator"),
        ("Ember", silver, emea, "reseller"),
    ]
    for name, tier, region, kind in specs:
        partner = f.PartnerFactory(name=name, tier=tier, region=region, partner_type=kind)
        eco.partners.append(partner)
        random_deals(rng, partner, customer, products, deals_per_partner)
        random_stock(rng, partner, products[: rng.randint(1, 3)])
        random_claims(rng, partner, products, 12)
        f.CertificationFactory(partner=partner, earned_on=date(2024, 9, 1), expires_on=date(2025, 3, 1))
        f.CertificationFactory(partner=partner, earned_on=date(2025, 2, 28), expires_on=None)
    # Tickets draw from their own generator, so the rows above stay what they were before tickets existed.
    ticket_rng = random.Random(seed + 1)
    for partner in eco.partners:
        random_tickets(ticket_rng, partner, products, 14)
    _edge_cases(eco, customer)
    random_sellout(random.Random(seed + 1), eco)
    return eco


# Sell-out currencies: EUR has monthly rates except for February 2025, GBP daily rates on the 1st and 15th of
# each month (a line up to 7 days after one uses it; later in the month it has none), JPY none at all.
SELLOUT_CURRENCIES = ("USD", "USD", "USD", "EUR", "EUR", "GBP", "GBP", "JPY")
SELLOUT_TYPES = ("sale", "sale", "sale", "sale", "drop_ship", "return", "return", "transfer")
SELLOUT_START = date(2024, 1, 1)  # before the history: first sales then make later ones not new


def sellout_rates() -> None:
    month = SELLOUT_START
    while month <= NOW.date():
        if month != date(2025, 2, 1):
            f.ExchangeRateFactory(currency="EUR", date=month, granularity="month", rate=Decimal("1.08253"))
        for day in (1, 15):
            rate = Decimal("1.26507") + Decimal(month.month) / 1000
            f.ExchangeRateFactory(currency="GBP", date=month.replace(day=day), granularity="day", rate=rate)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def random_sellout(rng: random.Random, eco: Eco) -> None:
    """Sell-out lines of every type, currency and kind of end customer (matched, candidate, none) from before
    the history to NOW, for the five partners and the edge-case ones."""
    from sellout.models import EndCustomerCandidate

    sellout_rates()
    buyers: list = [f.CustomerFactory() for _ in range(4)]
    buyers += [
        EndCustomerCandidate.objects.create(name=f"Prospect {i}", normalised_name=f"prospect {i}") for i in range(2)
    ]
    buyers.append(None)
    span = (NOW.date() - SELLOUT_START).days
    reporters = [*eco.partners, eco.no_deals, eco.inactive]
    for r, partner in enumerate(reporters):
        for n in range(30 if r < len(eco.partners) else 8):
            buyer = rng.choice(buyers)
            f.SellOutLineFactory(
                reporter=partner,
                invoice_number=f"S{r}-{n:03d}",
                date=SELLOUT_START + timedelta(days=rng.randint(0, span)),
                transaction_type=rng.choice(SELLOUT_TYPES),
                product=rng.choice(eco.products),
                quantity=rng.randint(1, 20),
                unit_price=Decimal(rng.randint(100, 500_00)) / 100,
                currency=rng.choice(SELLOUT_CURRENCIES),
                end_customer_country=rng.choice(("DE", "US", "FR", "")),
                customer=buyer if buyer is not None and not isinstance(buyer, EndCustomerCandidate) else None,
                customer_candidate=buyer if isinstance(buyer, EndCustomerCandidate) else None,
                customer_match="candidate"
                if isinstance(buyer, EndCustomerCandidate)
                else "matched"
                if buyer
                else "none",
            )


def _edge_cases(eco: Eco, customer) -> None:
    network_product = eco.products[0]
    one_line = [(network_product, 1, Decimal("1000.00"))]
    # A partner with no deals at all, but stock that never sells.
    eco.no_deals = f.PartnerFactory(name="Fjord", tier=eco.silver, region=eco.emea)
    for day in (date(2025, 1, 10), date(2025, 3, 31), date(2025, 4, 1)):
        f.InventoryReportFactory(partner=eco.no_deals, product=network_product, date=day, on_hand=12, units_sold=0)
    # A partner whose registrations are all submitted in January and decided in February.
    eco.decisions_only = f.PartnerFactory(name="Glacier", tier=eco.gold, region=eco.amer)
    boundary = datetime(2025, 2, 1, tzinfo=UTC)
    for i, hours in enumerate((1, 30, 50)):
        submitted = boundary - timedelta(hours=hours)
        status = DealStatus.REJECTED if i == 2 else DealStatus.APPROVED
        expires = boundary + timedelta(days=90) if status == DealStatus.APPROVED else None
        make_deal(
            eco.decisions_only,
            customer,
            one_line,
            submitted=submitted,
            status=status,
            decided=boundary + timedelta(hours=hours),
            expires=expires,
        )
    # Decided exactly at a month boundary: belongs to March, not February.
    aurora = eco.partners[0]
    march = datetime(2025, 3, 1, tzinfo=UTC)
    make_deal(
        aurora,
        customer,
        one_line,
        submitted=march,
        status=DealStatus.APPROVED,
        decided=march,
        expires=march + timedelta(days=90),
    )
    make_deal(
        aurora,
        customer,
        one_line,
        submitted=march - timedelta(days=3),
        status=DealStatus.WON,
        decided=march - timedelta(days=2),
        closed=march,
        expires=march + timedelta(days=88),
    )
    # Approved, then expired in the middle of May: in the pipeline at the end of March and April only.
    make_deal(
        aurora,
        customer,
        [(network_product, 3, Decimal("333.33"))],
        submitted=datetime(2025, 2, 10, tzinfo=UTC),
        status=DealStatus.EXPIRED,
        decided=datetime(2025, 2, 14, tzinfo=UTC),
        expires=datetime(2025, 5, 15, tzinfo=UTC),
        closed=datetime(2025, 5, 15, 1, tzinfo=UTC),
    )
    # Still "approved" although its protection ended (the expiry job has not run): not in the pipeline after.
    make_deal(
        aurora,
        customer,
        one_line,
        submitted=datetime(2025, 3, 20, tzinfo=UTC),
        status=DealStatus.APPROVED,
        decided=datetime(2025, 3, 21, tzinfo=UTC),
        expires=datetime(2025, 6, 19, tzinfo=UTC),
    )
    # An inactive partner: has KPIs but no health score and is no one's peer.
    eco.inactive = f.PartnerFactory(name="Haze", tier=eco.gold, region=eco.emea, status="inactive")
    make_deal(
        eco.inactive,
        customer,
        one_line,
        submitted=datetime(2025, 5, 5, tzinfo=UTC),
        status=DealStatus.WON,
        decided=datetime(2025, 5, 6, tzinfo=UTC),
        closed=datetime(2025, 6, 6, tzinfo=UTC),
        expires=datetime(2025, 8, 4, tzinfo=UTC),
    )
    f.CertificationFactory(
        partner=aurora, product_line=eco.network, earned_on=date(2025, 4, 30), expires_on=date(2025, 5, 1)
    )
    # A ticket resolved exactly at a month boundary belongs to March; one opened in February and resolved in
    # March counts as opened in February and resolved in March.
    f.TicketFactory(
        partner=aurora,
        product=network_product,
        opened_at=march - timedelta(hours=5),
        status="resolved",
        resolved_at=march,
        reopen_count=1,
        resolution_breached=True,
    )


@dataclass
class SharedEco:
    eco: Eco
    rows_before_analytics: dict[str, int]  # rows per table once the data was written, before the recompute


def table_rows() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def build_computed_ecosystem(more: Callable[[Eco], None] | None = None) -> SharedEco:
    """`build_ecosystem`, then `more` rows, then a full recompute as of NOW over 15 months of history."""
    eco = build_ecosystem()
    if more:
        more(eco)
    rows = table_rows()
    with override_settings(PRM_ANALYTICS_HISTORY_MONTHS=15), TestCase.captureOnCommitCallbacks(execute=True):
        job = services.recompute_start(kind="full_recompute", now=NOW)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    return SharedEco(eco=eco, rows_before_analytics=rows)


@shared_by_module
def analytics_ecosystem(django_db_setup, django_db_blocker) -> Iterator[SharedEco]:
    """The computed ecosystem, once for all the tests of a module."""
    yield from rows_for_module(django_db_blocker, build_computed_ecosystem)


@pytest.fixture
def computed(analytics_ecosystem, db, settings) -> Eco:
    """The module's ecosystem with its analytics computed, as `run_recompute()` leaves it."""
    settings.PRM_ANALYTICS_HISTORY_MONTHS = 15
    cache.clear()
    return copy.deepcopy(analytics_ecosystem.eco)


@pytest.fixture
def eco(request, db) -> Eco:
    """The ecosystem before any analytics: a new one, or in a module that shares one, that one without its
    analytics rows (deleted inside this test's transaction, so the next test has them back)."""
    if "analytics_ecosystem" not in request.fixturenames:
        return build_ecosystem()
    shared = request.getfixturevalue("analytics_ecosystem")
    for model in apps.get_app_config("analytics").get_models():
        model.objects.all().delete()
    rows = table_rows()
    changed = {table: (rows[table], n) for table, n in shared.rows_before_analytics.items() if rows[table] != n}
    assert not changed, f"the recompute wrote rows outside the analytics tables (now, before): {changed}"
    cache.clear()
    return copy.deepcopy(shared.eco)


@pytest.fixture
def run_recompute(django_capture_on_commit_callbacks, settings):
    """Run a full recompute as of NOW through the tasks (eager), 15 months of history."""
    settings.PRM_ANALYTICS_HISTORY_MONTHS = 15

    def run(chunk_partners: int | None = None, kind: str = "full_recompute", now: datetime = NOW):
        settings.PRM_ANALYTICS_CHUNK_SIZE = chunk_partners or 1000
        with django_capture_on_commit_callbacks(execute=True):
            job = services.recompute_start(kind=kind, now=now)
        job.refresh_from_db()
        assert job.status == "succeeded", job.error
        return job

    return run
