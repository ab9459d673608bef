"""Support tickets between partners and the vendor, with their conversation and status history.

The SLA rules are those of support/sla.py: due times from the severity's policy at opening, calendar hours;
the first answer is the vendor's first comment (or move); the resolution clock pauses while a ticket waits on
the partner and stops once resolved, and a reopen resumes it. Most tickets are answered and solved in time;
about one in eight misses its first-response target and one in seven its resolution target; one resolved
ticket in twelve is reopened once. Resolved tickets are confirmed by the partner within days or closed
automatically after PRM_TICKET_AUTOCLOSE_DAYS. A share of hardware tickets follows a warranty claim of the
same partner, product and serial number. Tickets opened shortly before the anchor are still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from support.models import DEFAULT_CATEGORIES, DEFAULT_SLA_HOURS, SlaPolicy, TicketCategory

from .config import MONTHS
from .customers import CustomerSet
from .partners import PartnerSet
from .reference import Reference
from .users import Staff

TICKETS_PER_CLAIM = 0.25
SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_SHARES = np.array([0.07, 0.23, 0.45, 0.25])
# Category code → relative frequency; codes an administrator added later share the rest.
CATEGORY_WEIGHTS = {
    "hardware-fault": 0.26,
    "software-defect": 0.18,
    "installation": 0.1,
    "configuration": 0.16,
    "performance": 0.08,
    "compatibility": 0.06,
    "licensing": 0.07,
    "documentation": 0.03,
    "how-to": 0.06,
}
LATE_ANSWER_SHARE = 0.12
LATE_RESOLUTION_SHARE = 0.14
WAIT_ON_PARTNER_SHARE = 0.35
WAIT_ON_VENDOR_SHARE = 0.15
REOPEN_SHARE = 0.08
AUTOCLOSE_DAYS = 7
RECENT_SHARE, RECENT_DAYS = 0.08, 6
SUBJECTS = {
    "hardware-fault": ["Unit does not power on", "Fan failure alarm", "Port LEDs dark after a power cut"],
    "software-defect": ["Crash after firmware upgrade", "Web console returns an error", "Memory leak in agent"],
    "installation": ["Installer stops at licence step", "Rack kit does not fit", "Cannot join the cluster"],
    "configuration": ["VLAN settings lost after reboot", "SSO configuration question", "Backup job misconfigured"],
    "performance": ["Throughput below data sheet", "High latency under load", "Slow storage rebuild"],
    "compatibility": ["Optics not recognised", "Driver conflict with OS update", "Hypervisor not supported"],
    "licensing": ["Licence key rejected", "Subscription shows expired", "Entitlement missing in portal"],
    "documentation": ["Manual describes old menu", "Missing wiring diagram"],
    "how-to": ["How to enable SNMPv3", "How to export the audit log", "How to schedule firmware updates"],
}
VENDOR_ANSWERS = [
    "Thanks for the details; we are looking into it.",
    "We have reproduced the problem in our lab.",
    "Please send the diagnostic bundle from the device.",
    "A fix is available in the next maintenance release; a workaround follows.",
]
INTERNAL_NOTES = [
    "Known issue in batch; RMA approved without return.",
    "Escalated to engineering, ticket in their backlog.",
    "Partner has had three similar cases this quarter.",
]
PARTNER_REPLIES = ["Diagnostic bundle attached.", "The customer confirms the steps.", "Logs uploaded as requested."]


@dataclass
class _Ticket:
    """One generated ticket and what happened to it, as timestamps (None: not yet, or never)."""

    index: int
    partner: int
    columns: dict = field(default_factory=dict)
    events: list = field(default_factory=list)  # (at, actor, from, to, note)
    comments: list = field(default_factory=list)  # (at, author, side, body, internal)


def _policies() -> dict[str, tuple[int, int]]:
    found = {p.severity: (p.first_response_hours, p.resolution_hours) for p in SlaPolicy.objects.all()}
    return {severity: found.get(severity, DEFAULT_SLA_HOURS[severity]) for severity in SEVERITIES}


def _categories() -> tuple[list[str], list[int], np.ndarray]:
    """The active categories and how often each is chosen; the default ones first restored if missing."""
    for position, (code, name, description) in enumerate(DEFAULT_CATEGORIES):
        TicketCategory.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
    rows = list(TicketCategory.objects.filter(is_active=True).order_by("position", "pk").values_list("code", "pk"))
    codes, ids = [code for code, _ in rows], [pk for _, pk in rows]
    weights = np.array([CATEGORY_WEIGHTS.get(code, 0.02) for code in codes], dtype=float)
    return codes, ids, weights / weights.sum()


def ticket_tables(
    rng: np.random.Generator,
    ps: PartnerSet,
    ref: Reference,
    cs: CustomerSet,
    staff: Staff,
    anchor: date,
    claims: dict[str, np.ndarray],
    *,
    total: int,
    first_ids: tuple[int, int, int],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray], dict[str, int]]:
    """(ticket columns, comment columns, event columns, counts) for `total` tickets."""
    codes, category_ids, category_p = _categories()
    if not codes or total <= 0 or ps.contact_user is None:
        return {}, {}, {}, {}
    policies = _policies()
    end = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC) - timedelta(hours=1)
    start = end - timedelta(days=30.4 * MONTHS)
    intensity = ps.volume_intensity().sum(axis=1) * (ps.contact_user >= 0)
    partner_p = intensity / intensity.sum()
    catalog = ref.catalog
    products = rng.choice(len(catalog.product_ids), size=total, p=catalog.typical_qty / catalog.typical_qty.sum())
    tickets: list[_Ticket] = []
    customer_index = {int(pk): i for i, pk in enumerate(cs.ids)}
    partner_index = {int(pk): i for i, pk in enumerate(ps.ids)}
    n_claims = len(claims.get("id", ()))
    for i in range(total):
        severity = SEVERITIES[rng.choice(4, p=SEVERITY_SHARES)]
        category = int(rng.choice(len(codes), p=category_p))
        follows_claim = codes[category] == "hardware-fault" and n_claims and rng.random() < 0.5
        claim_index = int(rng.integers(0, n_claims)) if follows_claim else -1
        if claim_index >= 0:
            partner = partner_index[int(claims["partner_id"][claim_index])]
            product_id = int(claims["product_id"][claim_index])
            serial = claims["serial_number"][claim_index].decode()
            after = claims["submitted_at"][claim_index].astype(datetime).replace(tzinfo=UTC)
            opened = min(after + timedelta(hours=float(rng.uniform(2, 240))), end)
            customer = int(claims["customer_id"][claim_index])
        else:
            partner = int(rng.choice(len(ps), p=partner_p))
            product_id = int(catalog.product_ids[products[i]])
            serial = f"S{int(rng.integers(10**8, 10**9))}" if rng.random() < 0.7 else ""
            # A share of the tickets is recent, so the queue holds work in every state on the anchor day.
            recent = rng.random() < RECENT_SHARE
            span = timedelta(days=RECENT_DAYS) if recent else end - start
            opened = end - timedelta(seconds=float(rng.uniform(0, span.total_seconds())))
            pool = int(cs.pool_size[partner])
            own = cs.pool_start[partner] + int(rng.integers(0, pool)) if pool else -1
            customer = int(cs.ids[own]) if own >= 0 and rng.random() < 0.7 else -1
        ticket = _Ticket(index=i, partner=partner)
        origin = "portal" if rng.random() < 0.8 else "api"
        _life(rng, ticket, ps, staff, severity, policies[severity], opened, end, codes[category], origin)
        raiser = int(ps.contact_user[partner])
        ticket.columns.update(
            partner_id=int(ps.ids[partner]),
            origin=origin,
            raised_by_id=raiser,
            customer_id=customer,
            customer_name=cs.names[customer_index[customer]] if customer >= 0 else "",
            product_id=product_id,
            serial_number=serial.upper(),
            category_id=category_ids[category],
            severity=severity,
            subject=str(rng.choice(SUBJECTS.get(codes[category], ["Support request"]))),
            warranty_claim_id=int(claims["id"][claim_index]) if claim_index >= 0 else -1,
            deal_id=-1,
        )
        tickets.append(ticket)
    return _tables(tickets, first_ids, anchor)


def _life(
    rng: np.random.Generator,
    t: _Ticket,
    ps: PartnerSet,
    staff: Staff,
    severity: str,
    policy: tuple[int, int],
    opened: datetime,
    end: datetime,
    category: str,
    origin: str,
) -> None:
    """The ticket's story until `end`, by the SLA rules; fills its columns, events and comments."""
    first_hours, resolution_hours = policy
    raiser = int(ps.contact_user[t.partner])
    agent = int(staff.global_manager) if rng.random() < 0.2 else int(ps.manager[t.partner])
    first_due = opened + timedelta(hours=first_hours)
    due = opened + timedelta(hours=resolution_hours)
    late_answer = rng.random() < LATE_ANSWER_SHARE
    answer_share = float(rng.uniform(1.05, 3.0) if late_answer else rng.uniform(0.1, 0.9))
    answer = opened + timedelta(hours=first_hours * answer_share)
    late = rng.random() < LATE_RESOLUTION_SHARE
    running = resolution_hours * float(rng.uniform(1.05, 2.0) if late else rng.uniform(0.15, 0.9))
    running = max(running, (answer - opened).total_seconds() / 3600 + 0.5)
    t.events.append(
        (opened, raiser, "", "new", "Opened (Partner portal)" if origin == "portal" else "Opened (Partner API)")
    )
    columns = t.columns
    columns.update(
        opened_at=opened,
        first_response_due_at=first_due,
        first_response_at=None,
        first_response_breached=False,
        resolution_due_at=due,
        resolution_breached=False,
        clock_paused_since=None,
        resolved_at=None,
        closed_at=None,
        reopen_count=0,
        status="new",
        description=f"{category.replace('-', ' ').capitalize()} reported by the customer; details in the comments.",
    )
    now = opened

    def move(at: datetime, actor: int | None, to: str, note: str = "") -> bool:
        if at > end:
            return False
        t.events.append((at, actor, columns["status"], to, note))
        columns["status"] = to
        return True

    # First answer: a comment from the support team, the ticket taken in hand.
    if answer > end:
        columns["last_activity_at"] = now
        return
    columns["first_response_at"] = answer
    columns["first_response_breached"] = answer > first_due
    t.comments.append((answer, agent, "vendor", str(rng.choice(VENDOR_ANSWERS)), False))
    move(answer, agent, "in_progress")
    now = answer
    if rng.random() < 0.2:
        t.comments.append((now + timedelta(minutes=10), agent, "vendor", str(rng.choice(INTERNAL_NOTES)), True))
    spent = (now - opened).total_seconds() / 3600
    if rng.random() < WAIT_ON_PARTNER_SHARE:
        # The team asks for something; the clock pauses until the partner replies.
        ask = now + timedelta(hours=float(rng.uniform(0.5, max(1.0, (running - spent) / 3))))
        if not move(ask, agent, "waiting_on_partner", "Please send the diagnostic bundle."):
            columns["last_activity_at"] = now
            return
        columns["resolution_breached"] = ask > due
        spent += (ask - now).total_seconds() / 3600
        reply = ask + timedelta(hours=float(rng.lognormal(np.log(20), 0.8)))
        if reply > end:
            columns["clock_paused_since"] = ask
            columns["last_activity_at"] = ask
            return
        t.comments.append((reply, raiser, "partner", str(rng.choice(PARTNER_REPLIES)), False))
        move(reply, raiser, "in_progress", "The partner replied")
        due += reply - ask
        columns["resolution_due_at"] = due
        now = reply
    if rng.random() < WAIT_ON_VENDOR_SHARE:
        move(now + timedelta(minutes=30), agent, "waiting_on_vendor", "Escalated to engineering.")
        now += timedelta(minutes=30)
        spent += 0.5
    resolve_at = now + timedelta(hours=max(running - spent, 0.25))
    if not move(resolve_at, agent, "resolved", "Solved; please confirm."):
        columns["last_activity_at"] = now
        return
    columns["resolved_at"] = resolve_at
    columns["resolution_breached"] = resolve_at > due
    columns["clock_paused_since"] = resolve_at
    now = resolve_at
    if rng.random() < REOPEN_SHARE:
        reopen = now + timedelta(hours=float(rng.uniform(2, 96)))
        if move(reopen, raiser, "in_progress", "The problem came back."):
            columns["reopen_count"] = 1
            columns["resolved_at"] = None
            columns["clock_paused_since"] = None
            due += reopen - now
            columns["resolution_due_at"] = due
            now = reopen
            again = now + timedelta(hours=float(rng.uniform(2, 48)))
            if not move(again, agent, "resolved", "Replaced the unit."):
                columns["last_activity_at"] = now
                return
            columns["resolved_at"] = again
            columns["resolution_breached"] = columns["resolution_breached"] or again > due
            columns["clock_paused_since"] = again
            now = again
    confirmed = now + timedelta(days=float(rng.uniform(0.2, 9)))
    if confirmed > now + timedelta(days=AUTOCLOSE_DAYS):
        closed, actor, note = now + timedelta(days=AUTOCLOSE_DAYS, minutes=50), None, "Closed automatically."
    else:
        closed, actor, note = confirmed, raiser, "Confirmed by the partner."
    if move(closed, actor, "closed", note):
        columns["closed_at"] = closed
        now = closed
    columns["last_activity_at"] = now
    columns["resolution_due_at"] = due


def _ts(values: list) -> np.ndarray:
    return np.array([np.datetime64(v.replace(tzinfo=None), "s") if v else np.datetime64("NaT", "s") for v in values])


def _tables(tickets: list[_Ticket], first_ids: tuple[int, int, int], anchor: date) -> tuple:
    from .deal_tables import references

    first_ticket, first_comment, first_event = first_ids
    tickets.sort(key=lambda t: t.columns["opened_at"])
    opened = _ts([t.columns["opened_at"] for t in tickets])
    refs = references(opened, {}, prefix=b"ST-")
    ids = np.arange(first_ticket, first_ticket + len(tickets), dtype=np.int64)
    names = list(tickets[0].columns)
    times = {"opened_at", "first_response_due_at", "first_response_at", "resolution_due_at", "clock_paused_since"}
    times |= {"resolved_at", "closed_at", "last_activity_at"}
    columns: dict[str, np.ndarray] = {"id": ids, "reference": refs}
    for name in names:
        values = [t.columns[name] for t in tickets]
        columns[name] = _ts(values) if name in times else np.array(values)
    columns["created_at"] = columns["opened_at"]
    columns["updated_at"] = columns["last_activity_at"]
    comment_rows = [(ids[k], *c) for k, t in enumerate(tickets) for c in t.comments]
    comment_rows.sort(key=lambda row: (row[1], row[0]))
    comments = {
        "id": np.arange(first_comment, first_comment + len(comment_rows), dtype=np.int64),
        "ticket_id": np.array([r[0] for r in comment_rows], dtype=np.int64),
        "created_at": _ts([r[1] for r in comment_rows]),
        "author_id": np.array([r[2] for r in comment_rows], dtype=np.int64),
        "side": np.array([r[3] for r in comment_rows]),
        "body": np.array([r[4] for r in comment_rows]),
        "is_internal": np.array([r[5] for r in comment_rows], dtype=bool),
    }
    event_rows = [(ids[k], *e) for k, t in enumerate(tickets) for e in t.events]
    events = {
        "id": np.arange(first_event, first_event + len(event_rows), dtype=np.int64),
        "ticket_id": np.array([r[0] for r in event_rows], dtype=np.int64),
        "at": _ts([r[1] for r in event_rows]),
        "actor_id": np.array([-1 if r[2] is None else r[2] for r in event_rows], dtype=np.int64),
        "from_status": np.array([r[3] for r in event_rows]),
        "to_status": np.array([r[4] for r in event_rows]),
        "note": np.array([r[5] for r in event_rows]),
    }
    status = columns["status"]
    counts = {
        "tickets": len(tickets),
        "ticket comments": len(comment_rows),
        "ticket events": len(event_rows),
        "reopened": int((columns["reopen_count"] > 0).sum()),
        "SLA breached": int((columns["first_response_breached"] | columns["resolution_breached"]).sum()),
    }
    counts |= {f"tickets {s}": int(c) for s, c in zip(*np.unique(status, return_counts=True), strict=True)}
    return columns, comments, events, counts
