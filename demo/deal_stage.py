"""The deal stage: customers, registrations, lines, conflict links and history, written in that order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from customers.models import Customer
from deals.models import DealConflict, DealEvent, DealLine, DealRegistration
from deals.services import loss_reasons_ensure

from . import deal_tables as tables
from .conflicts import plant_conflicts
from .customers import CustomerSet, customer_columns, generate_customers
from .deals import amounts, deal_volume, force_showcase, generate_lines, give_product, submission_times
from .lifecycle import draw, resolve
from .partners import PartnerSet
from .rates import partner_currencies
from .reference import Reference
from .users import Staff
from .writer import TableWriter

SOURCES = np.array(["portal", "api", "import"])


@dataclass
class DealStageResult:
    customers: CustomerSet
    counts: dict[str, int]


def run_deal_stage(
    rng: np.random.Generator,
    writer: TableWriter,
    ps: PartnerSet,
    ref: Reference,
    staff: Staff,
    anchor: date,
    *,
    total: int,
    showcase_users: dict[str, list[int]],
    reference_offsets: dict[int, int],
) -> DealStageResult:
    anchor_s = np.datetime64(anchor, "s")
    counts = deal_volume(rng, ps, total)
    cs = generate_customers(rng, ps, ref, counts.sum(axis=1), first_id=writer.next_id(Customer))
    writer.write(Customer, customer_columns(rng, cs, ps, ref, anchor))

    partner, submitted = submission_times(rng, counts, anchor)
    n = len(partner)
    customer = cs.pick(rng, partner)
    lines = generate_lines(rng, partner, ps, ref.catalog)
    draws = draw(rng, ps.tier[partner], ps.trend[partner])
    forced = force_showcase(rng, ps, partner, draws, submitted, anchor)
    life = resolve(draws, submitted, anchor_s, ref.protection_days, ref.extension_days)
    pairs = plant_conflicts(rng, ps, partner, submitted, draws, life, forced, anchor)
    customer[pairs.later] = customer[pairs.first]
    shared_product = lines.product[np.searchsorted(lines.deal, pairs.first)]
    give_product(rng, lines, ref.catalog, ps, partner, pairs.later, shared_product)
    life = resolve(draws, submitted, anchor_s, ref.protection_days, ref.extension_days)

    # Ids and references follow creation order, as they would have been handed out.
    order = np.argsort(life["created"], kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    deal_ids = writer.next_id(DealRegistration) + rank
    refs = np.empty(n, dtype="S14")
    refs[order] = tables.references(life["created"][order], reference_offsets)

    submitter = _submitters(rng, ps, partner, showcase_users)
    decider = np.where(rng.random(n) < 0.25, staff.global_manager, ps.manager[partner])
    status = life["status"]
    rejection = np.where(status == "rejected", tables.REJECTION_REASONS[rng.integers(0, 5, n)], b"")
    later = np.zeros(n, dtype=bool)
    later[pairs.later] = True
    rejection = np.where((status == "rejected") & later, tables.CONFLICT_REJECTION, rejection)
    lost, pick = status == "lost", rng.integers(0, len(tables.LOSS_REASONS), n)
    reasons = {reason.code: (reason.pk, reason.name) for reason in loss_reasons_ensure()}
    reason_ids = np.array([reasons[code][0] for code in tables.LOSS_CODES], dtype=np.int64)
    histories = np.array(
        [tables.loss_history(reasons[code][1], note) for code, note in tables.LOSS_REASONS], dtype="S400"
    )
    loss = np.where(lost, histories[pick], b"")
    flagged = later.copy()
    flagged[pairs.first] = True

    log = tables.build_events(life, pairs, submitter, decider, rejection, loss)
    last_change = np.max(
        np.stack([np.where(np.isnat(life[k]), life["created"], life[k]) for k in ("closed", "extended", "decided")]),
        axis=0,
    )
    preferred = rng.choice(3, size=len(ps), p=[0.7, 0.2, 0.1])
    source = np.where(rng.random(n) < 0.85, preferred[partner], rng.integers(0, 3, n))
    deal_columns = {
        "id": deal_ids,
        "created_at": life["created"],
        "updated_at": last_change,
        "reference": refs,
        "partner_id": ps.ids[partner],
        "customer_id": cs.ids[customer],
        "deal_type": tables.deal_types(partner, customer, life["created"], rng),
        "status": status,
        "amount": amounts(lines, n),
        "currency": partner_currencies(ps)[partner],
        "expected_close_date": life["expected_close"],
        "notes": tables.NOTES[np.where(rng.random(n) < 0.2, rng.integers(1, len(tables.NOTES), n), 0)],
        "source": SOURCES[source],
        "submitted_by_id": np.where(status == "draft", -1, submitter),
        "submitted_at": life["submitted"],
        "decided_by_id": np.where(np.isnat(life["decided"]), -1, decider),
        "decided_at": life["decided"],
        "rejection_reason": rejection,
        "protection_expires_at": life["protection"],
        "extension_requested_at": life["requested"],
        "extended_at": life["extended"],
        "expiry_warning_sent_at": life["warned"],
        "closed_at": life["closed"],
        "loss_reason_id": np.where(lost, reason_ids[pick], -1),
        "loss_note": np.where(lost, tables.LOSS_NOTES[pick], b""),
        "has_conflict": flagged,
    }
    writer.write(DealRegistration, {key: values[order] for key, values in deal_columns.items()})
    line_rows = tables.line_columns(lines, deal_ids, ref.catalog.product_ids, writer.next_id(DealLine))
    writer.write(DealLine, line_rows)
    writer.write(DealEvent, log.columns(deal_ids, writer.next_id(DealEvent)))
    reasons = np.array(
        [f"Same name and domain; products in common: {ref.catalog.skus[p]}".encode() for p in shared_product.tolist()],
        dtype="S200",
    )
    detected = life["submitted"][pairs.later]
    writer.write(
        DealConflict, tables.conflict_columns(pairs, deal_ids, detected, reasons, writer.next_id(DealConflict))
    )

    statuses, per_status = np.unique(status, return_counts=True)
    counts_out = {"customers": len(cs), "deals": n, "lines": len(line_rows["id"])}
    counts_out |= {f"deals {s}": int(c) for s, c in zip(statuses.tolist(), per_status.tolist(), strict=True)}
    counts_out["conflict pairs"] = len(pairs.first)
    return DealStageResult(customers=cs, counts=counts_out)


def _submitters(rng: np.random.Generator, ps: PartnerSet, partner: np.ndarray, showcase_users) -> np.ndarray:
    """Who registers each deal: the partner's contact user, or one of a showcase partner's two logins."""
    submitter = ps.contact_user[partner].copy()
    for key, users in showcase_users.items():
        rows = np.flatnonzero(partner == ps.index_of(key))
        submitter[rows] = np.array(users, dtype=np.int64)[rng.integers(0, len(users), len(rows))]
    return submitter
