"""Running the whole generation: safety checks, stages with timing, one transaction.

The run is a single transaction: a crash (or Ctrl-C) leaves the database as it was, never a
half-loaded table. Each stage draws from its own random stream (spawned from --seed), so the
same seed and anchor always give the same rows, and a change in one stage's generator does not
reshuffle the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Max, Model

from accounts.models import User
from core.models import ReferenceSequence
from customers.models import Customer
from deals.models import DealConflict, DealEvent, DealLine, DealRegistration
from ingest.models import ImportBatch
from inventory.models import InventoryReport
from notifications.models import Notification
from partners.models import Certification, Partner
from sellout.models import EndCustomerCandidate, SellOutCorrection, SellOutLine, SellOutSerial
from support.models import Ticket, TicketComment, TicketEvent
from warranty.models import ClaimEvent, WarrantyClaim

from . import integrity, purge
from .activations import seed_activations
from .config import MONTHS, SIZES, Size
from .deal_stage import run_deal_stage
from .enablement import certification_columns
from .inventory import inventory_columns
from .notifications import seed_notifications
from .partners import PartnerSet, generate_partners, partner_columns
from .rates import seed_rates
from .reference import Reference, load_reference
from .sellout import sellout_tables
from .support import TICKETS_PER_CLAIM, ticket_tables
from .users import Staff, contact_user_columns, ensure_manager_logins, ensure_partner_logins
from .warranty_tables import claim_tables
from .writer import TableWriter

LOADED_MODELS = (
    Partner,
    User,
    Certification,
    Customer,
    DealRegistration,
    DealLine,
    DealEvent,
    DealConflict,
    InventoryReport,
    WarrantyClaim,
    ClaimEvent,
    Notification,
    ImportBatch,
    EndCustomerCandidate,
    SellOutLine,
    SellOutSerial,
    SellOutCorrection,
    Ticket,
    TicketComment,
    TicketEvent,
)
# Each stage draws from its own stream; a new stage goes last, so the earlier streams stay the same.
STAGES = ("partners", "deals", "inventory", "warranty", "notifications", "sellout", "activations", "support")
SELLOUT_MODELS = {
    "batch": ImportBatch,
    "candidate": EndCustomerCandidate,
    "line": SellOutLine,
    "serial": SellOutSerial,
    "correction": SellOutCorrection,
}


class DemoDataRefusedError(Exception):
    """The database holds real data and --force was not given."""


@dataclass
class SeedResult:
    loaded: bool
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    anchor: date | None = None


class _Clock:
    def __init__(self, write: Callable[[str], None]) -> None:
        self.write, self.started, self.timings = write, time.monotonic(), {}

    @contextmanager
    def stage(self, name: str) -> Iterator[dict[str, int]]:
        counts: dict[str, int] = {}
        begun = time.monotonic()
        yield counts
        took = time.monotonic() - begun
        self.timings[name] = took
        detail = ", ".join(f"{value:,} {key}" for key, value in counts.items())
        self.write(f"  {name:<13} {took:7.1f}s  (at {time.monotonic() - self.started:6.1f}s)  {detail}")


def seed_demo(
    *,
    size: str,
    seed: int,
    anchor: date,
    force: bool = False,
    if_empty: bool = False,
    write: Callable[[str], None] = print,
) -> SeedResult:
    """Load the demo ecosystem (see docs/demo-data.md for what it contains and the rules)."""
    if if_empty and Partner.objects.exists():
        kind = "demo data" if purge.has_demo_data() else "data"
        return SeedResult(loaded=False, message=f"The database already has {kind}; nothing loaded (--if-empty).")
    reasons = purge.real_data_reasons()
    if reasons and not force:
        raise DemoDataRefusedError(
            "This database already holds data that seed_demo did not create ("
            + "; ".join(reasons)
            + "). Loading demo partners next to it would mix invented and real figures. "
            "Use an empty database, or pass --force to add the demo data anyway "
            "(earlier demo rows are replaced; real rows are kept; demo login names are reset)."
        )
    spec = SIZES[size]
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STAGES))]
    rng = dict(zip(STAGES, streams, strict=True))
    clock_ = _Clock(write)
    writer = TableWriter(progress=write)
    per_table_checks = integrity.can_skip_row_checks()
    write(
        f"seed_demo: size={size} seed={seed} anchor={anchor.isoformat()} database={connection.vendor} "
        f"loading by {writer.method}, foreign keys checked per {'table' if per_table_checks else 'row'}"
    )
    with transaction.atomic():
        if per_table_checks:
            integrity.skip_row_checks()
        with clock_.stage("clean") as counts:
            counts |= purge.purge_demo_data() if purge.has_demo_data() else {}
        with clock_.stage("reference") as counts:
            ref = load_reference()
            staff = ensure_manager_logins(ref.regions)
            counts |= {"products": len(ref.catalog.product_ids), "failure codes": len(ref.failure_code_ids)}
        with clock_.stage("partners") as counts:
            ps = _load_partners(rng["partners"], writer, spec, ref, staff, anchor, counts)
        with clock_.stage("rates") as counts:
            counts |= seed_rates(anchor)
        with clock_.stage("deals") as counts:
            deals = run_deal_stage(
                rng["deals"],
                writer,
                ps,
                ref,
                staff,
                anchor,
                total=spec.deals,
                showcase_users=ps.showcase_logins,
                reference_offsets=_reference_offsets(DealRegistration, "DR", anchor),
            )
            counts |= deals.counts
        with clock_.stage("inventory") as counts:
            columns, stats = inventory_columns(
                rng["inventory"],
                ps,
                ref.catalog,
                anchor,
                target_rows=spec.inventory_rows,
                first_id=writer.next_id(InventoryReport),
            )
            writer.write(InventoryReport, columns)
            counts |= stats
        with clock_.stage("sellout") as counts:
            tables, stats = sellout_tables(
                rng["sellout"],
                ps,
                ref.catalog,
                deals.customers,
                columns,
                anchor,
                target_lines=spec.sellout_lines,
                first_ids={key: writer.next_id(model) for key, model in SELLOUT_MODELS.items()},
            )
            for key, model in SELLOUT_MODELS.items():
                if tables.get(key):
                    writer.write(model, tables[key])
            counts |= stats
        with clock_.stage("warranty") as counts:
            claims, events, stats = claim_tables(
                rng["warranty"],
                ps,
                ref,
                deals.customers,
                staff,
                anchor,
                total=spec.claims,
                first_claim_id=writer.next_id(WarrantyClaim),
                first_event_id=writer.next_id(ClaimEvent),
                reference_offsets=_reference_offsets(WarrantyClaim, "WC", anchor),
            )
            writer.write(WarrantyClaim, claims)
            writer.write(ClaimEvent, events)
            counts |= stats
        with clock_.stage("notifications") as counts:
            counts |= seed_notifications(rng["notifications"], writer, ps, anchor)
        # After every stage that writes sell-out lines: activations follow the serials they sold.
        with clock_.stage("activations") as counts:
            counts |= seed_activations(rng["activations"], anchor)
        with clock_.stage("support") as counts:
            tickets, comments, ticket_events, stats = ticket_tables(
                rng["support"],
                ps,
                ref,
                deals.customers,
                staff,
                anchor,
                claims,
                total=int(spec.claims * TICKETS_PER_CLAIM),
                first_ids=(writer.next_id(Ticket), writer.next_id(TicketComment), writer.next_id(TicketEvent)),
            )
            if tickets:
                writer.write(Ticket, tickets)
                writer.write(TicketComment, comments)
                writer.write(TicketEvent, ticket_events)
            counts |= stats
        if per_table_checks:
            with clock_.stage("verify") as counts:
                integrity.restore_row_checks()
                counts["foreign keys verified"] = integrity.check_foreign_keys(list(apps.get_models()))
        with clock_.stage("finish") as counts:
            writer.reset_sequences(list(LOADED_MODELS))
            _sync_reference_counters()
            if writer.vendor == "postgresql":
                counts["sequences reset"] = len(LOADED_MODELS)
                counts["tables analysed"] = writer.analyze(list(LOADED_MODELS))
        commit_started = time.monotonic()
    clock_.timings["commit"] = time.monotonic() - commit_started
    write(f"  {'commit':<13} {clock_.timings['commit']:7.1f}s")
    total = time.monotonic() - clock_.started
    clock_.timings["total"] = total
    write(f"  {'total':<13} {total:7.1f}s")
    return SeedResult(loaded=True, counts=dict(writer.rows_written), timings=clock_.timings, anchor=anchor)


def _load_partners(
    rng: np.random.Generator,
    writer: TableWriter,
    spec: Size,
    ref: Reference,
    staff: Staff,
    anchor: date,
    counts: dict[str, int],
) -> PartnerSet:
    """Partners, the showcase logins, one contact user per partner and certifications."""
    reserved = set(Partner.objects.values_list("name", flat=True))
    ps = generate_partners(
        rng,
        spec,
        ref,
        anchor,
        first_id=writer.next_id(Partner),
        managers=staff.by_region,
        global_manager=staff.global_manager,
        reserved_names=reserved,
    )
    counts["partners"] = writer.write(Partner, partner_columns(ps, ref, anchor))
    ps.showcase_logins = ensure_partner_logins(ps)
    taken = set(User.objects.values_list("username", flat=True))
    since = np.where(np.isnat(ps.onboarded), ps.joined, ps.onboarded)
    since = np.where(np.isnat(since), np.datetime64(anchor, "D") - 30, since)
    users, ps.contact_user = contact_user_columns(
        rng, ps, first_id=writer.next_id(User), taken=taken, date_joined=since.astype("datetime64[s]")
    )
    counts["contact users"] = writer.write(User, users)
    for key, ids in ps.showcase_logins.items():
        ps.contact_user[ps.index_of(key)] = ids[0]  # the showcase admin reports their inventory
    certs = certification_columns(rng, ps, ref, anchor, first_id=writer.next_id(Certification))
    counts["certifications"] = writer.write(Certification, certs)
    counts["two-tier links"] = int((ps.parent >= 0).sum())
    return ps


def _reference_offsets(model: type[Model], prefix: str, anchor: date) -> dict[int, int]:
    """Per year, the highest reference number already used by rows that stay (real data under --force)."""
    offsets = {}
    for year in range(anchor.year - MONTHS // 12 - 1, anchor.year + 1):
        last = model._base_manager.filter(reference__startswith=f"{prefix}-{year}-").aggregate(m=Max("reference"))["m"]
        if last:
            offsets[year] = int(last.rsplit("-", 1)[1])
    return offsets


def _sync_reference_counters() -> None:
    """Set the workflows' per-year reference counters (DR-, WC-, ST-) to the highest number now in use.

    Raising them lets new registrations and claims follow the demo ones; lowering them undoes the
    numbers of an earlier, bigger demo load that was just deleted.
    """
    for prefix, model in (("DR", DealRegistration), ("WC", WarrantyClaim), ("ST", Ticket)):
        years = set(ReferenceSequence.objects.filter(prefix=prefix).values_list("year", flat=True))
        years |= {r.year for r in model._base_manager.dates("created_at", "year")}
        for year in sorted(years):
            last = model._base_manager.filter(reference__startswith=f"{prefix}-{year}-").aggregate(m=Max("reference"))
            number = int(last["m"].rsplit("-", 1)[1]) if last["m"] else 0
            ReferenceSequence.objects.update_or_create(prefix=prefix, year=year, defaults={"last_number": number})
