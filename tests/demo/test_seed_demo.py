"""seed_demo and demo_logins: the promised shape of the demo ecosystem, determinism and safety.

The small data set is loaded once for the module (about two seconds) and every shape test reads
it; tests that reload or refuse run inside their own rolled-back transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DecimalField, F, Max, Sum
from django.test import RequestFactory

from accounts.models import Role, User
from core.normalise import normalise_company_name, normalise_domain
from customers.models import Customer
from deals.models import DealConflict, DealEvent, DealLine, DealRegistration, DealStatus
from demo import integrity
from demo.config import DEMO_LOGINS, SHOWCASE
from inventory.models import InventoryReport
from partners.models import Certification, Partner, Program, Tier
from support.models import Ticket, TicketComment, TicketEvent, TicketStatus
from tests import factories as f
from warranty.models import ClaimEvent, ClaimStatus, WarrantyClaim
from warranty.services import warranty_end

ANCHOR = date(2026, 11, 1)  # fixed, so the figures do not depend on the day the suite runs
SEED_ARGS = ("--size=small", "--seed=7", f"--anchor={ANCHOR.isoformat()}")
ANCHOR_TIME = datetime(ANCHOR.year, ANCHOR.month, ANCHOR.day, tzinfo=UTC)


def seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", *SEED_ARGS, *extra, stdout=out)
    return out.getvalue()


def key_figures() -> dict:
    """Figures that must come out identical for the same seed and anchor."""
    deals = DealRegistration.objects.values("status").annotate(n=Count("pk"), total=Sum("amount"))
    return {
        "partners": sorted(Partner.objects.values_list("name", "partner_type", "status", "country")),
        "deals": sorted((d["status"], d["n"], str(d["total"])) for d in deals),
        "lines": DealLine.objects.count(),
        "events": DealEvent.objects.count(),
        "conflicts": DealConflict.objects.count(),
        "last_reference": DealRegistration.objects.aggregate(m=Max("reference"))["m"],
        "inventory": InventoryReport.objects.aggregate(n=Count("pk"), sold=Sum("units_sold"), held=Sum("on_hand")),
        "claims": WarrantyClaim.objects.aggregate(n=Count("pk"), claimed=Sum("claimed_amount")),
        "claim_events": ClaimEvent.objects.count(),
        "certifications": Certification.objects.count(),
        "tickets": Ticket.objects.aggregate(n=Count("pk"), reopened=Sum("reopen_count")),
        "ticket_events": TicketEvent.objects.count(),
        "customers": Customer.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        output = seed()
        yield SimpleNamespace(output=output, figures=key_figures())
        call_command("flush", interactive=False, verbosity=0)  # leave the empty database other modules expect


pytestmark = pytest.mark.usefixtures("seeded")


@pytest.mark.django_db
def test_every_deal_status_is_present():
    assert set(DealRegistration.objects.values_list("status", flat=True).distinct()) == set(DealStatus.values)
    assert DealRegistration.objects.count() == 5_000


@pytest.mark.django_db
def test_partner_population_covers_types_statuses_tiers_and_two_tier_links():
    partners = Partner.objects.all()
    assert partners.count() == 50
    assert not partners.filter(is_demo=False).exists()
    assert set(partners.values_list("partner_type", flat=True)) == set(Partner.Type.values)
    assert set(partners.values_list("status", flat=True)) == set(Partner.Status.values)
    assert set(Tier.objects.filter(partners__isnull=False).values_list("name", flat=True)) == {
        "Platinum",
        "Gold",
        "Silver",
        "Bronze",
    }
    supplied = partners.filter(parent__isnull=False).select_related("parent")
    assert supplied.exists()
    assert all(p.parent.partner_type == "distributor" and p.parent.region_id == p.region_id for p in supplied)
    assert Certification.objects.filter(expires_on__lte=ANCHOR).exists()  # some lapsed
    assert Certification.objects.filter(expires_on__gt=ANCHOR).exists()
    busy_once = partners.filter(status="active", deals__isnull=False).distinct()
    dormant = busy_once.exclude(deals__submitted_at__gte=ANCHOR_TIME - timedelta(days=90))
    assert dormant.exists()


@pytest.mark.django_db
def test_deal_amount_is_the_sum_of_its_lines(django_assert_num_queries):
    money = DecimalField(max_digits=14, decimal_places=2)
    with django_assert_num_queries(1):
        rows = list(
            DealRegistration.objects.annotate(
                lines_total=Sum(F("lines__quantity") * F("lines__unit_price"), output_field=money)
            ).values_list("amount", "lines_total")
        )
    assert len(rows) == 5_000
    assert all(amount == Decimal(total).quantize(Decimal("0.01")) for amount, total in rows)


@pytest.mark.django_db
def test_deals_in_euros_and_pounds_all_have_a_rate(settings):
    """Partners in the euro area and the UK deal in EUR and GBP; the demo's rates convert every deal (the
    missing-rate case is the tests' business, not the demo's)."""
    from currencies.models import ExchangeRate
    from currencies.selectors import rate_table

    settings.PRM_REPORTING_CURRENCY = "USD"
    currencies = dict(DealRegistration.objects.values_list("currency").annotate(n=Count("pk")))
    assert {"USD", "EUR", "GBP"} <= set(currencies) and currencies["USD"] > currencies["EUR"]
    rows = DealRegistration.objects.exclude(status="draft").values_list(
        "amount", "currency", "submitted_at", "closed_at"
    )
    table = rate_table(currencies=["EUR", "GBP"], start=ANCHOR.replace(year=ANCHOR.year - 3), end=ANCHOR)
    for amount, currency, submitted, closed in rows:
        for moment in (submitted, closed):
            if moment is not None:
                assert table.convert(amount, currency, moment.astimezone(UTC).date()) is not None, (currency, moment)
    months = ExchangeRate.objects.filter(currency="JPY", source="demo").count()
    assert months == 24 + 3 + 1 and set(ExchangeRate.objects.values_list("currency", flat=True)) == {
        "EUR",
        "GBP",
        "JPY",
        "CAD",
        "AUD",
    }
    showcase = Partner.objects.filter(name__in=[spec["name"] for spec in SHOWCASE.values()])
    assert not DealRegistration.objects.filter(partner__in=showcase).exclude(currency="USD").exists()


@pytest.mark.django_db
def test_protection_runs_ninety_days_from_the_decision():
    decided = DealRegistration.objects.filter(protection_expires_at__isnull=False)
    plain = decided.filter(extended_at__isnull=True)
    assert plain.exists() and decided.filter(extended_at__isnull=False).exists()
    assert not plain.exclude(protection_expires_at=F("decided_at") + timedelta(days=90)).exists()
    extended = decided.filter(extended_at__isnull=False)
    assert not extended.exclude(protection_expires_at=F("decided_at") + timedelta(days=120)).exists()
    assert not DealRegistration.objects.filter(status="expired", protection_expires_at__gte=ANCHOR_TIME).exists()
    assert not DealRegistration.objects.filter(status="approved", protection_expires_at__lte=ANCHOR_TIME).exists()
    assert not DealRegistration.objects.filter(status="approved", protection_expires_at__isnull=True).exists()


@pytest.mark.django_db
def test_references_are_unique_and_well_formed():
    references = list(DealRegistration.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"DR-20\d\d-\d{6}", r) for r in references)
    claims = list(WarrantyClaim.objects.values_list("reference", flat=True))
    assert len(set(claims)) == len(claims) and all(re.fullmatch(r"WC-20\d\d-\d{6}", r) for r in claims)


@pytest.mark.django_db
def test_every_status_change_has_an_event():
    deals = DealRegistration.objects
    status_events = DealEvent.objects.filter(kind="status")
    assert status_events.filter(to_status="submitted").count() == deals.exclude(status="draft").count()
    decided = deals.filter(decided_at__isnull=False).count()
    assert status_events.filter(to_status__in=["approved", "rejected"]).count() == decided
    closed = deals.filter(status__in=["won", "lost", "withdrawn", "expired"]).count()
    assert status_events.filter(to_status__in=["won", "lost", "withdrawn", "expired"]).count() == closed
    # The last status event of every registration names its current status.
    final = dict(status_events.order_by("deal_id", "at", "pk").values_list("deal_id", "to_status"))
    current = dict(deals.exclude(status="draft").values_list("pk", "status"))
    assert final == current


@pytest.mark.django_db
def test_conflicts_are_linked_both_ways_between_overlapping_registrations():
    links = DealConflict.objects.select_related("from_deal", "to_deal")
    assert links.count() >= 100
    pairs = {(c.from_deal_id, c.to_deal_id) for c in links}
    assert all((b, a) in pairs for a, b in pairs)
    for link in links:
        first, later = sorted([link.from_deal, link.to_deal], key=lambda d: d.submitted_at)
        assert first.has_conflict and later.has_conflict
        assert first.partner_id != later.partner_id and first.customer_id == later.customer_id
        products = set(DealLine.objects.filter(deal=first).values_list("product_id", flat=True))
        assert products & set(DealLine.objects.filter(deal=later).values_list("product_id", flat=True))
        open_until = first.decided_at if first.status == "rejected" else first.closed_at
        assert first.submitted_at <= later.submitted_at and (open_until is None or later.submitted_at < open_until)
        assert link.detected_at == later.submitted_at
    flagged = DealRegistration.objects.filter(has_conflict=True).count()
    assert flagged == len({a for a, _b in pairs})


@pytest.mark.django_db
def test_lost_deals_carry_a_loss_reason_and_their_history_says_it():
    lost = DealRegistration.objects.filter(status=DealStatus.LOST).select_related("loss_reason")
    assert lost.exists() and not lost.filter(loss_reason__isnull=True).exists()
    assert len({deal.loss_reason.code for deal in lost}) >= 5
    assert not DealRegistration.objects.exclude(status=DealStatus.LOST).filter(loss_reason__isnull=False).exists()
    for deal in lost[:20]:
        note = DealEvent.objects.get(deal=deal, to_status=DealStatus.LOST).note
        assert note.startswith(f"Loss reason: {deal.loss_reason.name}")
        assert note.endswith(deal.loss_note)


@pytest.mark.django_db
def test_customers_carry_normalised_name_and_domain():
    customers = list(Customer.objects.values_list("name", "normalised_name", "domain"))
    assert all(n == normalise_company_name(name) and d == normalise_domain(d) for name, n, d in customers)
    assert len({n for _name, n, _d in customers}) == len(customers)


@pytest.mark.django_db
def test_inventory_is_unique_consistent_and_has_stockouts():
    rows = list(
        InventoryReport.objects.order_by("partner_id", "product_id", "date").values_list(
            "partner_id", "product_id", "date", "on_hand", "units_sold", "on_order"
        )
    )
    assert 15_000 <= len(rows) <= 25_000
    assert len({r[:3] for r in rows}) == len(rows)
    assert set(Partner.objects.filter(inventory_reports__isnull=False).values_list("partner_type", flat=True)) == {
        "reseller",
        "distributor",
    }
    series = defaultdict(list)
    for row in rows:
        series[row[:2]].append(row)
    for history in series.values():
        for before, after in zip(history, history[1:], strict=False):
            assert after[3] == before[3] + before[5] - after[4]  # stock carried over + arrivals − sold
    stockouts = [history[-1] for history in series.values() if history[-1][3] == 0]
    assert len(stockouts) >= 3


@pytest.mark.django_db
def test_sellout_follows_stock_and_covers_every_kind_of_line():
    from django.db.models import F

    from ingest.models import ImportBatch
    from sellout.models import EndCustomerCandidate, SellOutCorrection, SellOutLine, SellOutSerial

    lines = SellOutLine.objects.all()
    assert 2_000 <= lines.count() <= 3_000
    assert set(lines.values_list("transaction_type", flat=True)) == {"sale", "return", "transfer", "drop_ship"}
    # Two-tier: a distributor's sales to partners go to its own resellers only.
    to_partners = lines.filter(sold_to_partner__isnull=False)
    assert to_partners.exists()
    assert not to_partners.exclude(sold_to_partner__parent=F("reporter")).exists()
    matched = lines.filter(customer_match="matched")
    assert matched.exists() and not matched.exclude(customer__domain=F("end_customer_domain")).exists()
    assert lines.filter(customer_match="candidate", customer_candidate__isnull=False).exists()
    assert EndCustomerCandidate.objects.filter(status="open").exists()
    assert SellOutSerial.objects.exists()
    assert SellOutCorrection.objects.count() == lines.filter(revision=2).count() > 0
    # Each partner's month is one delivery whose counts are the lines it wrote.
    for batch in ImportBatch.objects.filter(kind="sellout")[:50]:
        assert batch.created_count == batch.sellout_lines.count()
        assert batch.sellout_lines.exclude(reporter_id=batch.partner_id).count() == 0


@pytest.mark.django_db
def test_claims_have_flags_that_follow_the_rules():
    claims = list(WarrantyClaim.objects.select_related("product", "duplicate_of"))
    assert len(claims) == 2_000
    assert {c.status for c in claims} == set(ClaimStatus.values)
    for claim in claims:
        expected = claim.failure_date > warranty_end(product=claim.product, purchase_date=claim.purchase_date)
        assert claim.out_of_warranty == expected
        assert claim.claimed_amount == claim.parts_amount + claim.labour_amount
        if claim.approved_amount is not None:
            assert Decimal("0") < claim.approved_amount <= claim.claimed_amount
        assert (claim.decided_at is not None) == (claim.status in ("approved", "rejected", "paid"))
        assert (claim.paid_at is not None) == (claim.status == "paid")
    duplicates = [c for c in claims if c.is_duplicate]
    assert duplicates and any(c.out_of_warranty for c in claims)
    for claim in duplicates:
        earlier = claim.duplicate_of
        assert earlier.serial_number == claim.serial_number
        assert timedelta(0) < claim.submitted_at - earlier.submitted_at < timedelta(days=30)
    assert len({c.serial_number for c in claims if not c.is_duplicate}) == len(claims) - len(duplicates)
    assert ClaimEvent.objects.filter(to_status="submitted").count() == len(claims)


@pytest.mark.django_db
def test_support_tickets_follow_the_sla_rules():
    tickets = list(Ticket.objects.all())
    assert len(tickets) == 500
    assert {t.status for t in tickets} == set(TicketStatus.values)
    assert any(t.reopen_count for t in tickets)
    assert any(t.first_response_breached for t in tickets) and any(t.resolution_breached for t in tickets)
    assert any(t.warranty_claim_id for t in tickets)
    assert all(re.fullmatch(r"ST-\d{4}-\d{6}", t.reference) for t in tickets)
    history: dict[int, list] = defaultdict(list)
    for event in TicketEvent.objects.order_by("at", "pk"):
        history[event.ticket_id].append(event)
    for t in tickets:
        assert (t.resolved_at is not None) == (t.status in ("resolved", "closed")), t.reference
        assert (t.closed_at is not None) == (t.status == "closed"), t.reference
        assert (t.clock_paused_since is not None) == (t.status in ("waiting_on_partner", "resolved", "closed"))
        if t.first_response_at is not None:
            assert t.first_response_breached == (t.first_response_at > t.first_response_due_at), t.reference
        if t.status in ("resolved", "closed"):
            assert t.resolution_breached == (t.resolved_at > t.resolution_due_at) or t.reopen_count, t.reference
        events = history[t.pk]
        assert events[0].to_status == "new" and events[-1].to_status == t.status, t.reference
        assert all(a.to_status == b.from_status for a, b in zip(events, events[1:], strict=False)), t.reference
        reopens = sum(1 for e in events if (e.from_status, e.to_status) == ("resolved", "in_progress"))
        assert reopens == t.reopen_count
        if t.warranty_claim_id:
            claim = WarrantyClaim.objects.get(pk=t.warranty_claim_id)
            assert (claim.partner_id, claim.product_id, claim.serial_number) == (
                t.partner_id,
                t.product_id,
                t.serial_number,
            )
    assert not TicketComment.objects.filter(is_internal=True, side="partner").exists()
    assert TicketComment.objects.filter(is_internal=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Northwind Networks", "Contoso Systems"])
def test_showcase_partners_have_a_lively_portal(name):
    partner = Partner.objects.get(name=name)
    assert partner.status == "active"
    assert set(partner.deals.values_list("status", flat=True)) == set(DealStatus.values)
    assert partner.deals.filter(has_conflict=True).exists()
    assert partner.inventory_reports.filter(on_hand=0).exists()
    assert set(partner.warranty_claims.values_list("status", flat=True)) == set(ClaimStatus.values)
    assert partner.users.filter(role=Role.PARTNER_ADMIN).exists() and partner.users.filter(role=Role.PARTNER_USER)


@pytest.mark.django_db
def test_demo_logins_authenticate_with_their_roles():
    for login in DEMO_LOGINS:
        user = authenticate(RequestFactory().post("/login/"), username=login.username, password=login.password)
        assert user is not None, login.username
        assert user.role == login.role and user.is_superuser == login.superuser
    assert list(User.objects.get(username="emea-manager").regions.values_list("code", flat=True)) == ["emea"]
    assert not User.objects.get(username="manager").regions.exists()
    assert not User.objects.get(username="manager").is_staff
    assert User.objects.get(username="northwind-user").partner.name == "Northwind Networks"
    assert User.objects.get(username="contoso-admin").partner.name == "Contoso Systems"
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "northwind-admin  partner-demo" in out.getvalue()
    assert "emea-manager" in out.getvalue() and "Contoso Systems" in out.getvalue()
    assert "(http://127.0.0.1:8000/)" in out.getvalue()
    out = StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8765/", stdout=out)  # `make run PORT=8765`
    assert out.getvalue().startswith("Demo logins (http://127.0.0.1:8765/):")


@pytest.mark.django_db
def test_same_seed_gives_the_same_data(seeded):
    output = seed()  # replaces the module's demo data
    assert "tables emptied" in output
    assert key_figures() == seeded.figures
    call_command("seed_demo", "--size=small", "--seed=8", f"--anchor={ANCHOR.isoformat()}", stdout=StringIO())
    assert key_figures() != seeded.figures


@pytest.mark.django_db
def test_if_empty_leaves_existing_data_alone(seeded):
    output = seed("--if-empty")
    assert "nothing loaded" in output
    assert key_figures() == seeded.figures


@pytest.mark.django_db
def test_refuses_a_database_with_real_data_unless_forced(seeded):
    real = f.PartnerFactory(
        name="Real Reseller Ltd",
        region=f.RegionFactory(code="emea"),
        tier=Tier.objects.get(name="Gold"),
        program=Program.objects.get(is_default=True),
    )
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert key_figures()["deals"] == seeded.figures["deals"]
    seed("--force")
    assert Partner.objects.filter(pk=real.pk, is_demo=False).exists()
    assert Partner.objects.filter(is_demo=True).count() == 50
    assert key_figures()["deals"] == seeded.figures["deals"]


@pytest.mark.django_db
def test_refuses_when_a_demo_login_name_belongs_to_a_real_user():
    User.objects.filter(username="admin").update(email="it@company.test")
    with pytest.raises(CommandError, match="admin"):
        seed()


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_loads_by_copy_and_keeps_sequences_and_keys_sound(seeded):
    assert "loading by COPY" in seeded.output
    deal = DealRegistration.objects.order_by("-pk").first()
    line = DealLine.objects.create(deal=deal, product=DealLine.objects.first().product, quantity=1, unit_price=1)
    assert line.pk > DealLine.objects.exclude(pk=line.pk).aggregate(m=Max("pk"))["m"]
    assert integrity.check_foreign_keys([DealLine, DealRegistration]) >= 6
    with pytest.raises(IntegrityError, match="deals_dealline.deal_id"), transaction.atomic():
        integrity.skip_row_checks()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE deals_dealline SET deal_id = 0 WHERE id = %s", [line.pk])
        integrity.check_foreign_keys([DealLine])
