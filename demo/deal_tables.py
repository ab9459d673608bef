"""Turning generated deals into table rows: ids and references in time order, lines, conflict links
and the event history (one event per status change, plus extension, warning and conflict notes,
worded as the deal services word them).
"""

from __future__ import annotations

import numpy as np

from .conflicts import Pairs
from .deals import Lines

REJECTION_REASONS = np.array(
    [
        b"Customer is a named account handled directly by the vendor.",
        b"Not enough detail on the opportunity; please resubmit with the project scope.",
        b"Duplicate of an earlier registration.",
        b"Deal size is below the registration threshold.",
        b"Products are outside the partner's authorisation.",
    ]
)
CONFLICT_REJECTION = b"Channel conflict: another partner registered this customer first."
# Losses as partners report them: the code of the loss reason (seeded by deals' migrations) and the note.
LOSS_REASONS = (
    ("price", b"Lost to a competitor on price."),
    ("timing", b"Customer postponed the project."),
    ("no_budget", b"No budget this year."),
    ("competitor", b"Incumbent vendor kept the account."),
    ("product_fit", b"Customer chose a cloud service instead."),
    ("product_fit", b"Requirements changed after the proof of concept."),
    ("no_decision", b"Project cancelled after a reorganisation."),
    ("other_partner", b"The customer bought through another partner."),
    ("price", b""),
    ("competitor", b""),
    ("other", b"Customer merged with a company on another platform."),
)
LOSS_CODES = [code for code, _ in LOSS_REASONS]
LOSS_NOTES = np.array([note for _, note in LOSS_REASONS])


def loss_history(name: str, note: bytes) -> bytes:
    """A loss's history line as `deals.services.loss_text` writes it: "Loss reason: Price — the note"."""
    return f"Loss reason: {name}".encode() + ((" — ".encode() + note) if note else b"")


NOTES = np.array([note for _, note in LOSS_REASONS])
LOSS_NAMES = {
    "price": b"Price",
    "competitor": b"Lost to a competitor",
    "no_budget": b"No budget",
    "no_decision": b"No decision / project cancelled",
    "timing": b"Timing / postponed",
    "product_fit": b"Product did not fit the requirements",
    "other_partner": b"Lost to another partner",
    "other": b"Other",
}


def loss_event_notes(codes: np.ndarray, notes: np.ndarray, names: dict[str, bytes]) -> np.ndarray:
    """The history line of each loss, as `deals.services.loss_text` writes it: "Loss reason: Price — note"."""
    out = [
        b"Loss reason: " + names.get(str(code), b"") + ((b" \xe2\x80\x94 " + note) if note else b"")
        for code, note in zip(codes.tolist(), notes.tolist(), strict=True)
    ]
    return np.array(out, dtype=object).astype("S400") if out else np.array([], dtype="S400")


NOTES = np.array(
    [
        b"",
        b"Refresh of the campus network.",
        b"Competitive displacement opportunity.",
        b"Public tender; response due next month.",
        b"Expansion of last year's rollout.",
        b"Customer asked for a proof of concept first.",
        b"Data-centre consolidation project.",
        b"New branch offices opening this year.",
    ]
)
NEW_CONFLICT_NOTE = b"Overlaps an existing registration for this customer; the channel team will review both."
OLD_CONFLICT_NOTE = b"A later registration for this customer overlaps this one; the channel team will review both."


def references(created: np.ndarray, offsets: dict[int, int], prefix: bytes = b"DR-") -> np.ndarray:
    """DR-YYYY-NNNNNN (or WC-…) for rows sorted by creation: numbered per year, after `offsets[year]`."""
    n = len(created)
    year = created.astype("datetime64[Y]").astype(np.int64) + 1970
    first_of_year = np.searchsorted(year, year, side="left")
    number = np.arange(n) - first_of_year + 1 + np.array([offsets.get(int(y), 0) for y in year], dtype=np.int64)
    if n and number.max() > 999_999:
        raise ValueError("more than 999,999 rows in one year do not fit the YYYY-NNNNNN reference")
    matrix = np.empty((n, 14), dtype=np.uint8)
    matrix[:, 0:3] = np.frombuffer(prefix, dtype=np.uint8)
    for position, power in enumerate((1000, 100, 10, 1)):
        matrix[:, 3 + position] = 48 + (year // power) % 10
    matrix[:, 7] = ord("-")
    for position in range(6):
        matrix[:, 8 + position] = 48 + (number // 10 ** (5 - position)) % 10
    return matrix.view("S14").ravel()


def deal_types(partner: np.ndarray, customer: np.ndarray, created: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A partner's first registration for a customer is new business; later ones expand or renew."""
    order = np.lexsort((created, customer, partner))
    first = np.ones(len(customer), dtype=bool)
    same = (customer[order[1:]] == customer[order[:-1]]) & (partner[order[1:]] == partner[order[:-1]])
    first[order[1:]] = ~same
    repeat_kind = np.where(rng.random(len(customer)) < 0.7, "expansion", "renewal")
    return np.where(first, "new", repeat_kind)


class EventLog:
    """Collects event blocks (one row per deal in the block) and sorts them into history order."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, np.ndarray]] = []

    def add(self, rows, at, actor, kind, from_status, to_status, note, seq: int) -> None:
        k = len(rows)
        if not k:
            return

        def full(value, dtype) -> np.ndarray:
            return np.broadcast_to(np.asarray(value, dtype=dtype), (k,))

        self.blocks.append(
            {
                "deal": rows,
                "at": at,
                "seq": np.full(k, seq),
                "actor": full(actor, np.int64),
                "kind": full(kind, "S20"),
                "from": full(from_status, "S12"),
                "to": full(to_status, "S12"),
                "note": np.asarray(note) if np.ndim(note) else full(note, "S100"),
            }
        )

    def columns(self, deal_ids: np.ndarray, first_id: int) -> dict[str, np.ndarray]:
        merged = {key: np.concatenate([b[key] for b in self.blocks]) for key in self.blocks[0]}
        ids = deal_ids[merged["deal"]]
        order = np.lexsort((merged["seq"], merged["at"], ids))
        return {
            "id": np.arange(first_id, first_id + len(order), dtype=np.int64),
            "deal_id": ids[order],
            "at": merged["at"][order],
            "actor_id": merged["actor"][order],
            "kind": merged["kind"][order],
            "from_status": merged["from"][order],
            "to_status": merged["to"][order],
            "note": merged["note"][order],
        }


def build_events(life: dict, pairs: Pairs, submitter: np.ndarray, decider: np.ndarray, rejection, loss) -> EventLog:
    """The history of every deal as of the anchor; `rejection` and `loss` are per-deal texts of the history line."""
    status, log = life["status"], EventLog()

    def add(
        mask_or_rows: np.ndarray, time_key: str, actor, kind: bytes, from_status, to_status, note, seq: int
    ) -> None:
        rows = np.flatnonzero(mask_or_rows) if mask_or_rows.dtype == bool else mask_or_rows
        who = actor[rows] if isinstance(actor, np.ndarray) else actor
        text = note[rows] if isinstance(note, np.ndarray) and len(note) == len(status) else note
        log.add(rows, life[time_key][rows], who, kind, from_status, to_status, text, seq)

    draft, decided = status == "draft", ~np.isnat(life["decided"])
    add(draft, "created", submitter, b"created", b"", b"draft", b"Saved as a draft.", 0)
    add(~draft, "submitted", submitter, b"status", b"draft", b"submitted", b"Registered and submitted.", 1)
    if len(pairs.later):
        add(pairs.later, "submitted", -1, b"conflict", b"", b"", NEW_CONFLICT_NOTE, 2)
        log.add(pairs.first, life["submitted"][pairs.later], -1, b"conflict", b"", b"", OLD_CONFLICT_NOTE, 2)
    withdrawn_note = b"Withdrawn by the partner."
    add(
        (status == "withdrawn") & ~decided,
        "closed",
        submitter,
        b"status",
        b"submitted",
        b"withdrawn",
        withdrawn_note,
        3,
    )
    add(life["approved"], "decided", decider, b"status", b"submitted", b"approved", b"", 4)
    add(decided & ~life["approved"], "decided", decider, b"status", b"submitted", b"rejected", rejection, 4)
    requested = ~np.isnat(life["requested"])
    add(requested, "requested", submitter, b"extension_requested", b"", b"", b"Protection extension requested.", 5)
    extended = ~np.isnat(life["extended"])
    prefix = b"Protection extended by %d days to " % life["extension_days"]
    extension_note = np.char.add(np.char.add(prefix, _day(life["protection"])), b".")
    add(extended, "extended", decider, b"extension", b"", b"", extension_note, 6)
    warning_note = np.char.add(np.char.add(b"Partner warned: protection ends ", _day(life["protection"])), b".")
    add(~np.isnat(life["warned"]), "warned", -1, b"expiry_warning", b"", b"", warning_note, 7)
    add(status == "won", "closed", submitter, b"status", b"approved", b"won", b"", 8)
    add(status == "lost", "closed", submitter, b"status", b"approved", b"lost", loss, 8)
    add((status == "withdrawn") & decided, "closed", submitter, b"status", b"approved", b"withdrawn", withdrawn_note, 8)
    add(status == "expired", "closed", -1, b"status", b"approved", b"expired", b"Protection period ended.", 8)
    return log


def _day(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[D]").astype("S10")


def line_columns(lines: Lines, deal_ids: np.ndarray, product_ids: np.ndarray, first_id: int) -> dict:
    ids = deal_ids[lines.deal]
    order = np.argsort(ids, kind="stable")
    return {
        "id": np.arange(first_id, first_id + len(order), dtype=np.int64),
        "deal_id": ids[order],
        "product_id": product_ids[lines.product[order]],
        "quantity": lines.quantity[order],
        "unit_price": lines.unit_cents[order],
    }


def conflict_columns(
    pairs: Pairs, deal_ids: np.ndarray, detected: np.ndarray, reasons: np.ndarray, first_id: int
) -> dict[str, np.ndarray]:
    """Both directions of every planted conflict, detected when the later one was submitted."""
    first, later = deal_ids[pairs.first], deal_ids[pairs.later]
    n = len(first)
    return {
        "id": np.arange(first_id, first_id + 2 * n, dtype=np.int64),
        "from_deal_id": np.concatenate([later, first]),
        "to_deal_id": np.concatenate([first, later]),
        "detected_at": np.concatenate([detected, detected]),
        "reason": np.concatenate([reasons, reasons]),
    }
