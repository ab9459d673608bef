"""The life of an interchange: received → read and checked as a whole → imported all or nothing.

Small interchanges (up to `PRM_EDI_SYNC_SEGMENTS` segments, default 2,000) are processed inside the request
that sent them; larger ones by `edi.tasks.process_import` on the `ingest` queue, which records its progress
on the `EdiImport` row (the portal's progress bar and the API's job resource read it).

Nothing is written unless the whole interchange is clean: every error of every transaction set is collected
(segment number, segment id, element position, reason) and the import is refused with all of them. The
writing (activity, stock rows, sell-out lines) and the `done` status are one transaction.

Duplicate interchange control numbers, per sender (ISA05/ISA06): an interchange whose control number was
already imported is **idempotent when its content is identical** (the new job ends `duplicate`, pointing at
the first, and nothing is written again) and **refused when it differs** (a corrected interchange needs a new
control number). A partial unique constraint keeps two concurrent imports of one control number from both
landing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.events import emit
from core.exceptions import ActionNotPermittedError, ServiceError
from core.tasks import enqueue_on_commit
from inventory.models import InventoryReport
from inventory.services import inventory_upsert

from .envelope import Envelope, open_envelope
from .mapping import ActivityRow, PartnerResolver, ProductMatcher, activity_rows, inventory_rows, settle_balances
from .models import EdiImport, ProductActivity
from .resale import ResaleRow, resale_rows, write_resales
from .x12 import X12Error, X12SyntaxError, tokenize
from .x852 import parse_852
from .x867 import parse_867

logger = logging.getLogger(__name__)

SYNC_SEGMENTS = 2000
# A running job whose `updated_at` has not moved for this long (a worker moves it at least every PROGRESS_EVERY
# segments) has lost its queue message or its worker: the beat queues it again. Longer than the task's time
# limit, so a first run is over by then; every step is idempotent, so a run that was only slow does no harm.
STALLED_AFTER = timedelta(minutes=45)
GIVE_UP_AFTER = timedelta(hours=12)
MAX_BYTES = 50 * 1024 * 1024
PROGRESS_EVERY = 2000
WRITE_CHUNK = 2000
_ACTIVITY_FIELDS = [
    "beginning",
    "beginning_reported",
    "on_hand",
    "sold",
    "received",
    "returned",
    "adjustment",
    "on_order",
    "expected_on_hand",
    "balance_difference",
    "edi_import",
    "updated_at",
]


def sync_segments() -> int:
    return getattr(settings, "PRM_EDI_SYNC_SEGMENTS", SYNC_SEGMENTS)


def max_bytes() -> int:
    return getattr(settings, "PRM_EDI_MAX_BYTES", MAX_BYTES)


def estimate_segments(content: bytes) -> int:
    """A cheap count of segments for the choice between the request and a worker: the most frequent of the
    usual terminators, or of the character after ISA16 when the header can be read."""
    head = content[:200].lstrip()
    if head.startswith(b"ISA") and len(head) > 4:
        parts = head[4:].split(head[3:4], 15)
        if len(parts) == 16 and len(parts[15]) >= 2:
            return content.count(parts[15][1:2])
    return max(content.count(b"~"), content.count(b"\n"), 1)


def _may_send(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.is_channel_manager or user.is_partner_member)
    )


def edi_import_create(*, user: Any, content: bytes, source: str, filename: str = "", token: Any = None) -> EdiImport:
    """Store an interchange and process it now (small) or queue it for a worker (large).

    The sender must be a partner member or a channel manager; which partners the interchange may report
    for is checked when it is read (`mapping.PartnerResolver`).
    """
    if not _may_send(user):
        raise ActionNotPermittedError("Only partner users and channel managers may send EDI interchanges.")
    if not content or not content.strip():
        raise ServiceError("The interchange is empty.", code="empty")
    if len(content) > max_bytes():
        raise ServiceError(
            f"The interchange is {len(content):,} bytes; the limit is {max_bytes():,}. Split it.", code="too_large"
        )
    estimate = estimate_segments(content)
    job = EdiImport.objects.create(
        user=user,
        token=token,
        partner_id=getattr(user, "partner_id", None),
        source=source,
        filename=filename[:255],
        content=content,
        content_hash=hashlib.sha256(content).hexdigest(),
        size=len(content),
        progress_total=estimate,
    )
    if estimate <= sync_segments():
        run_guarded(job.pk)
    else:
        enqueue_on_commit("edi.tasks.process_import", job.pk, robust=True)
    job.refresh_from_db()
    return job


def run_guarded(job_id: int) -> EdiImport | None:
    """Process a job; an unexpected error fails it with a message for the sender instead of leaving it running."""
    try:
        return edi_import_process(job_id=job_id)
    except Exception:
        logger.exception("EDI import %s stopped", job_id)
        edi_import_fail(job_id=job_id, message=FAILED_MESSAGE)
        return None


FAILED_MESSAGE = (
    "An unexpected error stopped this interchange; nothing was imported. Send it again, or ask the channel team."
)


def edi_import_fail(*, job_id: int, message: str) -> None:
    """Record that a job stopped on an unexpected error."""
    EdiImport.objects.filter(pk=job_id, status__in=EdiImport.RUNNING).update(
        status=EdiImport.Status.FAILED, message=message[:2000], finished_at=timezone.now(), updated_at=timezone.now()
    )


def _progress(job_id: int, phase: str, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        EdiImport.objects.filter(pk=job_id).update(
            phase=phase, progress_done=done, progress_total=total, updated_at=timezone.now()
        )

    return report


class _RefusedError(Exception):
    def __init__(self, errors: list[X12Error]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def edi_import_process(*, job_id: int) -> EdiImport:
    """Read, check and (when everything is right) import one interchange; see the module docstring.

    Only a pending job (or one a dead worker left processing) is taken, so a redelivered task is harmless.
    """
    claimed = EdiImport.objects.filter(
        pk=job_id, status__in=[EdiImport.Status.PENDING, EdiImport.Status.PROCESSING, EdiImport.Status.IMPORTING]
    ).update(status=EdiImport.Status.PROCESSING, started_at=timezone.now(), phase="reading", updated_at=timezone.now())
    job = EdiImport.objects.select_related("user").get(pk=job_id)
    if not claimed:
        return job
    try:
        envelope, plan = _read_and_check(job)
    except _RefusedError as refused:
        return _refuse(job, refused.errors)
    if envelope.is_test:
        return _finish(
            job,
            EdiImport.Status.TESTED,
            plan.summary(),
            "A test interchange (ISA15 is T): it was checked and is correct; nothing was imported.",
        )
    earlier = _earlier_import(job)
    if earlier is not None:
        return _against_earlier(job, earlier)
    try:
        return _import(job, plan)
    except IntegrityError:
        # Another import of the same control number landed meanwhile: decide again against it.
        earlier = _earlier_import(job)
        if earlier is None:
            raise
        return _against_earlier(job, earlier)


def _against_earlier(job: EdiImport, earlier: EdiImport) -> EdiImport:
    """The duplicate policy: the same content is recognised and not imported again; other content is refused."""
    if earlier.content_hash != job.content_hash:
        return _refuse(job, [_duplicate_error(job, earlier)])
    job.duplicate_of = earlier
    job.save(update_fields=["duplicate_of", "updated_at"])
    return _finish(
        job,
        EdiImport.Status.DUPLICATE,
        earlier.summary,
        f"This interchange (sender {job.sender_id}, control number {job.control_number}) was already imported on "
        f"{earlier.finished_at:%Y-%m-%d %H:%M} UTC with the same content; nothing was imported again.",
    )


def _earlier_import(job: EdiImport) -> EdiImport | None:
    return (
        EdiImport.objects.filter(
            status=EdiImport.Status.DONE,
            sender_qualifier=job.sender_qualifier,
            sender_id=job.sender_id,
            control_number=job.control_number,
        )
        .exclude(pk=job.pk)
        .defer("content")
        .first()
    )


def _duplicate_error(job: EdiImport, earlier: EdiImport) -> X12Error:
    return X12Error(
        1,
        "ISA",
        13,
        f"control number {job.control_number} of sender {job.sender_id} was already imported "
        f"(import {earlier.pk}, {earlier.finished_at:%Y-%m-%d}) with different content; a corrected interchange "
        "needs a new control number",
        job.control_number,
    )


class _Plan:
    """What a clean interchange will write."""

    def __init__(self) -> None:
        self.activities: list[ActivityRow] = []
        self.resales: list[ResaleRow] = []
        self.counts = {"852": 0, "867": 0}
        self.skipped: dict[str, int] = {}
        self.resale_seen: dict[tuple, int] = {}

    def summary(self) -> dict:
        return {
            "transaction_sets": dict(self.counts),
            "activity_rows": len(self.activities),
            "sellout_lines": len(self.resales),
            "skipped_transfers": dict(self.skipped),
        }


def _read_and_check(job: EdiImport) -> tuple[Envelope, _Plan]:
    """Tokenize, open the envelope and read every transaction set; `_RefusedError` with every error found."""
    try:
        interchange = tokenize(bytes(job.content))
    except X12SyntaxError as exc:
        raise _RefusedError([exc.error])
    envelope = open_envelope(interchange)
    job.sender_qualifier, job.sender_id = envelope.sender_qualifier[:4], envelope.sender_id[:80]
    job.control_number, job.version = envelope.control_number[:20], envelope.version[:8]
    job.kinds = ",".join(envelope.kinds())
    job.transaction_count, job.segment_count = len(envelope.transactions), envelope.segment_count
    job.progress_total, job.phase = envelope.segment_count, "checking"
    job.save(
        update_fields=[
            "sender_qualifier",
            "sender_id",
            "control_number",
            "version",
            "kinds",
            "transaction_count",
            "segment_count",
            "progress_total",
            "phase",
            "updated_at",
        ]
    )
    errors = list(envelope.errors)
    plan = _Plan()
    products = ProductMatcher()
    partners = PartnerResolver(user=job.user, envelope=envelope)
    progress = _progress(job.pk, "checking", envelope.segment_count)
    today = timezone.now().date()
    seen: dict[tuple, int] = {}
    next_report = PROGRESS_EVERY
    reporters: set[int] = set()
    for transaction_set in envelope.transactions:
        if transaction_set.code == "852":
            report, found = parse_852(transaction_set)
            errors.extend(found)
            rows = activity_rows(
                report, products=products, partners=partners, isa=interchange.isa, today=today, seen=seen, errors=errors
            )
            plan.activities.extend(rows)
            reporters.update(r.partner_id for r in rows)
        else:
            resales, reporter_id = _check_867(transaction_set, products, partners, interchange.isa, today, errors, plan)
            plan.resales.extend(resales)
            if reporter_id:
                reporters.add(reporter_id)
        plan.counts[transaction_set.code] += 1
        done = transaction_set.segments[-1].number
        if done >= next_report:
            progress(done)
            next_report = done + PROGRESS_EVERY
    if errors:
        raise _RefusedError(sorted(errors, key=lambda e: (e.segment or 0, e.element)))
    if len(reporters) == 1 and job.partner_id not in reporters:
        job.partner_id = next(iter(reporters))
        job.save(update_fields=["partner", "updated_at"])
    return envelope, plan


def _check_867(transaction_set, products, partners, isa, today, errors, plan) -> tuple[list[ResaleRow], int | None]:
    """867 resale lines, matched (`resale.resale_rows`); transfers that are not resales are counted in the plan."""
    report, found = parse_867(transaction_set)
    errors.extend(found)
    for code, count in report.skipped.items():
        plan.skipped[code] = plan.skipped.get(code, 0) + count
    return resale_rows(
        report, products=products, partners=partners, isa=isa, today=today, errors=errors, seen=plan.resale_seen
    )


def _refuse(job: EdiImport, errors: list[X12Error]) -> EdiImport:
    job.errors = [e.as_dict() for e in errors[: EdiImport.MAX_STORED_ERRORS]]
    job.error_count = len(errors)
    first = errors[0]
    more = f" and {len(errors) - 1:,} more" if len(errors) > 1 else ""
    return _finish(
        job,
        EdiImport.Status.REJECTED,
        {},
        f"Nothing was imported: {first}{more}. Fix the interchange and send it again.",
        fields=["errors", "error_count"],
    )


def _finish(job: EdiImport, status: str, summary: dict, message: str, fields: list[str] | None = None) -> EdiImport:
    """Record how a job ended and announce it (`edi.processed`)."""
    job.status = status
    job.summary = summary
    job.message = message
    job.phase = ""
    job.progress_total = job.progress_done = max(job.segment_count, 1)
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            *(fields or []),
            "status",
            "summary",
            "message",
            "phase",
            "progress_total",
            "progress_done",
            "finished_at",
            "updated_at",
        ]
    )
    # Webhooks of the partner (its ERP learns its interchange was imported or refused), in the same transaction.
    emit(
        "edi.processed",
        partner_id=job.partner_id,
        data={
            "import": job.pk,
            "status": job.status,
            "sender_id": job.sender_id,
            "control_number": job.control_number,
            "kinds": job.kinds,
            "error_count": job.error_count,
            "summary": job.summary,
        },
    )
    return job


def _import(job: EdiImport, plan: _Plan) -> EdiImport:
    """Write everything and mark the job done, in one transaction."""
    EdiImport.objects.filter(pk=job.pk).update(
        status=EdiImport.Status.IMPORTING, phase="writing", progress_done=0, updated_at=timezone.now()
    )
    activities = settle_balances(plan.activities)
    total = len(activities) + len(plan.resales)
    progress = _progress(job.pk, "writing", total)
    summary = plan.summary()
    with transaction.atomic():
        written = 0
        for start in range(0, len(activities), WRITE_CHUNK):
            chunk = activities[start : start + WRITE_CHUNK]
            for activity in chunk:
                activity.edi_import_id = job.pk
            ProductActivity.objects.bulk_create(
                chunk,
                update_conflicts=True,
                unique_fields=["partner", "site_name", "product", "period_start", "period_end"],
                update_fields=_ACTIVITY_FIELDS,
            )
            written += len(chunk)
            progress(written)
        stock = {"created": 0, "updated": 0}
        for partner_id, rows in inventory_rows(activities).items():
            counts = inventory_upsert(
                partner=_partner(partner_id), user=job.user, rows=rows, source=InventoryReport.Source.EDI
            )
            stock["created"] += counts["created"]
            stock["updated"] += counts["updated"]
        resale_counts = write_resales(job=job, lines=plan.resales, progress=lambda n: progress(written + n))
        summary.update(
            inventory_created=stock["created"],
            inventory_updated=stock["updated"],
            balance_exceptions=sum(1 for a in activities if a.balance_difference not in (None, 0)),
            **resale_counts,
        )
        return _finish(job, EdiImport.Status.DONE, summary, _done_message(summary))


def _partner(partner_id: int):
    from partners.models import Partner

    return Partner.objects.get(pk=partner_id)


def _done_message(summary: dict) -> str:
    parts = []
    if summary["transaction_sets"].get("852"):
        parts.append(
            f"{summary['activity_rows']:,} product activity rows, {summary['inventory_created']:,} new and "
            f"{summary['inventory_updated']:,} replaced stock rows"
        )
        if summary["balance_exceptions"]:
            parts.append(f"{summary['balance_exceptions']:,} balance exceptions to look at")
    if summary["transaction_sets"].get("867"):
        parts.append(f"{summary['sellout_lines']:,} sell-out lines")
    if summary["skipped_transfers"]:
        left = ", ".join(f"{n:,} {code}" for code, n in sorted(summary["skipped_transfers"].items()))
        parts.append(f"transfers that are not resales left aside ({left})")
    return "Imported: " + "; ".join(parts) + "."


def edi_imports_resume_stalled(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again the running interchanges nothing has moved for STALLED_AFTER; fail those older than
    GIVE_UP_AFTER (their sender is told to send them again). Runs on the beat, so that no interchange stays
    "waiting for a worker" when a message is lost."""
    now = now or timezone.now()
    counts = {"resumed": 0, "failed": 0}
    stalled = EdiImport.objects.filter(status__in=EdiImport.RUNNING, updated_at__lt=now - STALLED_AFTER)
    for job in stalled.only("pk", "status", "created_at"):
        if job.created_at < now - GIVE_UP_AFTER:
            edi_import_fail(
                job_id=job.pk,
                message="This interchange was not processed in time; nothing was imported. Send it again.",
            )
            counts["failed"] += 1
            continue
        # Moving `updated_at` makes the next sweep wait again before queueing it once more.
        if EdiImport.objects.filter(pk=job.pk, status=job.status).update(updated_at=now):
            enqueue_on_commit("edi.tasks.process_import", job.pk)
            counts["resumed"] += 1
    if any(counts.values()):
        logger.warning("EDI imports: %(resumed)s stalled ones queued again, %(failed)s failed", counts)
    return counts
