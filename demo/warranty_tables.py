"""Warranty claims and their events as table rows, worded as the warranty services word them."""

from __future__ import annotations

from datetime import date

import numpy as np

from .customers import CustomerSet
from .deal_tables import references
from .partners import PartnerSet
from .reference import FAILURE_CODES, PRODUCT_LINES, Reference
from .users import Staff
from .warranty import OUT_OF_WARRANTY_REJECTION, REJECTIONS, cents_text, claim_lifecycle, generate_claims

# Failure codes that only make sense for some product lines (by code): the rest apply to all hardware.
LINE_SPECIFIC = {"RADIO": {"wireless"}, "DISK": {"storage", "servers"}, "MEM": {"servers", "storage"}}
DESCRIPTION_ENDINGS = np.array(
    [
        b" reported by the customer.",
        b" confirmed on site; unit replaced.",
        b" after a firmware update.",
        b" found during installation.",
        b" intermittent; unit swapped under advance replacement.",
    ]
)
SERIAL_PREFIX = {
    "networking": b"SNET",
    "wireless": b"SWLS",
    "storage": b"SSTO",
    "servers": b"SSRV",
    "security": b"SSEC",
}


def claim_tables(
    rng: np.random.Generator,
    ps: PartnerSet,
    ref: Reference,
    cs: CustomerSet,
    staff: Staff,
    anchor: date,
    *,
    total: int,
    first_claim_id: int,
    first_event_id: int,
    reference_offsets: dict[int, int],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, int]]:
    claims = generate_claims(rng, ps, ref, cs, anchor, total)
    life = claim_lifecycle(rng, claims, anchor, ps)
    n = len(claims["partner"])
    catalog = ref.catalog
    order = np.argsort(claims["submitted"], kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    ids = first_claim_id + rank
    refs = np.empty(n, dtype="S14")
    refs[order] = references(claims["submitted"][order], reference_offsets, prefix=b"WC-")

    line = catalog.line_of[claims["product"]]
    code = _failure_codes(rng, ref, line)
    descriptions = np.array([d.encode() for d in _code_descriptions(ref)])[code]
    description = np.char.add(descriptions, DESCRIPTION_ENDINGS[rng.integers(0, len(DESCRIPTION_ENDINGS), n)])
    list_cents = catalog.list_cents[claims["product"]]
    parts = np.minimum(np.round(list_cents * rng.uniform(0.04, 0.3, n)), list_cents).astype(np.int64)
    labour = rng.integers(12, 97, n) * 500
    claimed = parts + labour
    partial = rng.random(n) < 0.25
    approved_cents = np.where(partial, np.maximum(1, np.floor(claimed * rng.uniform(0.5, 0.95, n))), claimed)
    approved_cents = np.where(life["approved"], approved_cents, -1).astype(np.int64)

    duplicate_of = claims["duplicate_of"]
    is_duplicate = duplicate_of >= 0
    original_ref = refs[np.maximum(duplicate_of, 0)]
    status = life["status"]
    rejection = np.where(
        is_duplicate,
        np.char.add(np.char.add(b"Duplicate of ", original_ref), b"."),
        np.where(claims["out_of_warranty"], OUT_OF_WARRANTY_REJECTION, REJECTIONS[rng.integers(0, len(REJECTIONS), n)]),
    )
    rejection = np.where(status == "rejected", rejection, b"")
    decider = np.where(rng.random(n) < 0.2, staff.global_manager, ps.manager[claims["partner"]])
    submitter = ps.contact_user[claims["partner"]]
    prefix = np.array([SERIAL_PREFIX.get(c, b"SGEN") for c in _line_codes(ref)])[line]
    serial = np.char.add(prefix, np.char.zfill(claims["serial"].astype("S9"), 9))
    times = np.stack([np.where(np.isnat(life[k]), claims["submitted"], life[k]) for k in ("review", "decided", "paid")])
    claim_columns = {
        "id": ids,
        "created_at": claims["submitted"],
        "updated_at": times.max(axis=0),
        "reference": refs,
        "partner_id": ps.ids[claims["partner"]],
        "product_id": catalog.product_ids[claims["product"]],
        "serial_number": serial,
        "customer_id": np.where(claims["customer"] >= 0, cs.ids[np.maximum(claims["customer"], 0)], -1),
        "purchase_date": claims["purchase"],
        "failure_date": claims["failure"],
        "failure_code_id": ref.failure_code_ids[code],
        "description": description,
        "parts_amount": parts,
        "labour_amount": labour,
        "claimed_amount": claimed,
        "approved_amount": approved_cents,
        "currency": np.full(n, b"USD"),
        "status": status,
        "submitted_by_id": submitter,
        "submitted_at": claims["submitted"],
        "decided_by_id": np.where(np.isnat(life["decided"]), -1, decider),
        "decided_at": life["decided"],
        "rejection_reason": rejection,
        "paid_at": life["paid"],
        "out_of_warranty": claims["out_of_warranty"],
        "is_duplicate": is_duplicate,
        "duplicate_of_id": np.where(is_duplicate, ids[np.maximum(duplicate_of, 0)], -1),
    }
    events = _events(claims, life, ids, submitter, decider, claimed, approved_cents, rejection, first_event_id)
    counts = {
        "claims": n,
        "events": len(events["id"]),
        "out of warranty": int(claims["out_of_warranty"].sum()),
        "duplicates": int(is_duplicate.sum()),
    }
    counts |= {f"claims {s}": int(c) for s, c in zip(*np.unique(status, return_counts=True), strict=True)}
    return {key: values[order] for key, values in claim_columns.items()}, events, counts


def _line_codes(ref: Reference) -> list[str]:
    return [code for code, _name, _families in PRODUCT_LINES][: len(ref.catalog.line_ids)]


def _code_descriptions(ref: Reference) -> list[str]:
    described = dict(FAILURE_CODES)
    return [described.get(code, code) for code in ref.failure_code_names]


def _failure_codes(rng: np.random.Generator, ref: Reference, line: np.ndarray) -> np.ndarray:
    """A failure code per claim, drawn among the codes that fit the product's line."""
    lines = _line_codes(ref)
    fits = np.array(
        [[line_code in LINE_SPECIFIC.get(code, {line_code}) for code in ref.failure_code_names] for line_code in lines],
        dtype=float,
    )
    cumulative = np.cumsum(fits / fits.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((rng.random(len(line))[:, None] > cumulative[line]).sum(axis=1), len(ref.failure_code_names) - 1)


def _events(
    claims: dict[str, np.ndarray],
    life: dict[str, np.ndarray],
    ids: np.ndarray,
    submitter: np.ndarray,
    decider: np.ndarray,
    claimed: np.ndarray,
    approved: np.ndarray,
    rejection: np.ndarray,
    first_id: int,
) -> dict[str, np.ndarray]:
    """One ClaimEvent per step: filed (with its flags), review started, decision, payment."""
    status, n = life["status"], len(ids)
    late, dup = claims["out_of_warranty"], claims["duplicate_of"] >= 0
    flags = np.where(late & dup, b"; flagged: out of warranty, possible duplicate", b"")
    flags = np.where(late & ~dup, b"; flagged: out of warranty", flags)
    flags = np.where(dup & ~late, b"; flagged: possible duplicate", flags)
    blocks = [(np.arange(n), claims["submitted"], submitter, b"", b"submitted", np.char.add(b"Filed", flags), 0)]
    reviewed = np.flatnonzero(~np.isnat(life["review"]))
    blocks.append(
        (reviewed, life["review"][reviewed], decider[reviewed], b"submitted", b"under_review", b"Review started", 1)
    )
    decided = np.flatnonzero(~np.isnat(life["decided"]))
    came_from = np.where(life["straight"][decided], b"submitted", b"under_review")
    in_full = approved[decided] == claimed[decided]
    amount, of = cents_text(np.maximum(approved[decided], 0)), cents_text(claimed[decided])
    part_note = np.char.add(np.char.add(np.char.add(b"Approved in part: ", amount), b" of "), np.char.add(of, b" USD"))
    approve_note = np.where(in_full, np.char.add(np.char.add(b"Approved in full: ", amount), b" USD"), part_note)
    ok = life["approved"][decided]
    note = np.where(ok, approve_note, rejection[decided])
    to = np.where(ok, b"approved", b"rejected")
    blocks.append((decided, life["decided"][decided], decider[decided], came_from, to, note, 2))
    paid = np.flatnonzero(status == "paid")
    paid_note = np.char.add(np.char.add(b"Paid: ", cents_text(approved[paid])), b" USD")
    blocks.append((paid, life["paid"][paid], decider[paid], b"approved", b"paid", paid_note, 3))

    def column(position: int, dtype: str | type | None = None) -> np.ndarray:
        parts = [np.broadcast_to(np.asarray(b[position], dtype=dtype), (len(b[0]),)) for b in blocks]
        return np.concatenate(parts)

    claim, at, seq = column(0), column(1), column(6)
    claim_ids = ids[claim]
    order = np.lexsort((seq, at, claim_ids))
    return {
        "id": np.arange(first_id, first_id + len(order), dtype=np.int64),
        "claim_id": claim_ids[order],
        "at": at[order],
        "actor_id": column(2, np.int64)[order],
        "from_status": column(3, "S12")[order],
        "to_status": column(4, "S12")[order],
        "note": column(5)[order],
    }
