"""Writing activations and usage, linking them to the partner that sold the unit, undoing a delivery.

The bulk API (and the demo) come through here. Every write belongs to an `ingest.ImportBatch`; after it
commits, the stored figures of the partners it touched are recomputed on a worker (`tasks.refresh_figures`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.events import Event
from core.tasks import enqueue_on_commit
from ingest.models import ImportBatch
from ingest.services import import_batch_record_counts
from sellout.models import SellOutLine, SellOutSerial

from .models import Activation, UsageRecord

CHUNK = 2000
# Sell-out transactions that sell a unit to its buyer (a return or a transfer sells nothing).
SALE_TYPES = (SellOutLine.TransactionType.SALE, SellOutLine.TransactionType.DROP_SHIP)
ACTIVATION_VALUES = ("activated_on", "units", "status", "deactivated_on")
USAGE_VALUES = ("active_units", "usage", "usage_unit")


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _unjson(name: str, value: Any) -> Any:
    if value is not None and name in ("activated_on", "deactivated_on"):
        return date.fromisoformat(value)
    if name == "usage":
        return Decimal(value)
    return value


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@transaction.atomic
def activations_upsert(*, rows: Sequence[dict[str, Any]], batch: ImportBatch) -> tuple[dict[str, int], list[int]]:
    """Write checked activations (`validation.activation_items_check`): one per product, kind and identifier.

    A new unit is created and linked to the partner that sold it; one sent again with the same values is left
    alone (`unchanged`); one with different values is updated, keeping the values it replaces (`previous`)
    for a revert. Returns the counts {created, updated, unchanged} and the activation ids in row order.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    ids: list[int] = []
    touched_partners: set[int] = set()
    created_ids: list[int] = []
    for chunk in _chunks(rows):
        existing = {
            (a.product_id, a.kind, a.identifier): a
            for a in Activation.objects.filter(
                product_id__in={r["product"].pk for r in chunk}, identifier__in={r["identifier"] for r in chunk}
            )
        }
        new, changed, order = [], [], []
        for row in chunk:
            key = (row["product"].pk, row["kind"], row["identifier"])
            values = {name: row[name] for name in ACTIVATION_VALUES}
            activation = existing.get(key)
            if activation is None:
                activation = Activation(
                    product=row["product"], kind=row["kind"], identifier=row["identifier"], batch=batch, **values
                )
                new.append(activation)
            elif any(getattr(activation, name) != value for name, value in values.items()):
                activation.previous = {
                    **{name: _json(getattr(activation, name)) for name in ACTIVATION_VALUES},
                    "batch_id": activation.batch_id,
                }
                for name, value in values.items():
                    setattr(activation, name, value)
                activation.batch = batch
                changed.append(activation)
                if activation.partner_id:
                    touched_partners.add(activation.partner_id)
            else:
                counts["unchanged"] += 1
            order.append(activation)
        Activation.objects.bulk_create(new, batch_size=CHUNK)
        if changed:
            now = timezone.now()
            for activation in changed:
                activation.updated_at = now
            Activation.objects.bulk_update(changed, [*ACTIVATION_VALUES, "batch", "previous", "updated_at"])
        counts["created"] += len(new)
        counts["updated"] += len(changed)
        created_ids.extend(a.pk for a in new)
        ids.extend(a.pk for a in order)
    if created_ids:
        touched_partners |= activation_sellers_relink(activations=Activation.objects.filter(pk__in=created_ids))
    import_batch_record_counts(batch=batch, counts=counts)
    activation_figures_schedule(partner_ids=touched_partners)
    return counts, ids


@transaction.atomic
def usage_upsert(*, rows: Sequence[dict[str, Any]], batch: ImportBatch) -> tuple[dict[str, int], list[int]]:
    """Write checked usage months (`validation.usage_items_check`): one per activation and month.

    Same rules as activations: new, unchanged, or updated keeping the replaced values. Returns the counts and
    the usage record ids in row order.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    ids: list[int] = []
    partners: set[int] = set()
    for chunk in _chunks(rows):
        existing = {
            (u.activation_id, u.month): u
            for u in UsageRecord.objects.filter(
                activation_id__in={r["activation"].pk for r in chunk}, month__in={r["month"] for r in chunk}
            )
        }
        new, changed, order = [], [], []
        for row in chunk:
            activation = row["activation"]
            if activation.partner_id:
                partners.add(activation.partner_id)
            values = {name: row[name] for name in USAGE_VALUES}
            record = existing.get((activation.pk, row["month"]))
            if record is None:
                record = UsageRecord(activation=activation, month=row["month"], batch=batch, **values)
                new.append(record)
            elif any(getattr(record, name) != value for name, value in values.items()):
                record.previous = {
                    **{name: _json(getattr(record, name)) for name in USAGE_VALUES},
                    "batch_id": record.batch_id,
                }
                for name, value in values.items():
                    setattr(record, name, value)
                record.batch = batch
                changed.append(record)
            else:
                counts["unchanged"] += 1
            order.append(record)
        UsageRecord.objects.bulk_create(new, batch_size=CHUNK)
        if changed:
            now = timezone.now()
            for record in changed:
                record.updated_at = now
            UsageRecord.objects.bulk_update(changed, [*USAGE_VALUES, "batch", "previous", "updated_at"])
        counts["created"] += len(new)
        counts["updated"] += len(changed)
        ids.extend(r.pk for r in order)
    import_batch_record_counts(batch=batch, counts=counts)
    activation_figures_schedule(partner_ids=partners)
    return counts, ids


def activation_sellers_relink(*, activations: QuerySet[Activation]) -> set[int]:
    """Set who sold each activation: the reporter of the latest sale line (by date, then id) carrying its
    serial for its product; no such line leaves it unsold (partner empty).

    Returns the partners whose figures change (the previous seller and the new one of every changed row).
    A subscription joins the same way: a partner reports the subscription id in the serial column.
    """
    latest = (
        SellOutSerial.objects.filter(
            product_id=OuterRef("product_id"), serial=OuterRef("identifier"), line__transaction_type__in=SALE_TYPES
        )
        .order_by("-line__date", "-line_id")
        .values("line_id")[:1]
    )
    rows = activations.annotate(latest_line=Subquery(latest)).values_list(
        "pk", "partner_id", "sale_line_id", "sold_on", "latest_line"
    )
    affected: set[int] = set()
    pending: list[tuple[int, int | None, int | None, date | None, int | None]] = []

    def flush() -> None:
        lines = {
            pk: (reporter, day)
            for pk, reporter, day in SellOutLine.objects.filter(pk__in={p[4] for p in pending} - {None}).values_list(
                "pk", "reporter_id", "date"
            )
        }
        updates = []
        for pk, partner_id, line_id, sold_on, latest_line in pending:
            reporter, day = lines.get(latest_line, (None, None))
            if (partner_id, line_id, sold_on) != (reporter, latest_line if reporter else None, day):
                updates.append(
                    Activation(pk=pk, partner_id=reporter, sale_line_id=latest_line if reporter else None, sold_on=day)
                )
                affected.update({partner_id, reporter} - {None})
        if updates:
            Activation.objects.bulk_update(updates, ["partner", "sale_line", "sold_on"], batch_size=CHUNK)
        pending.clear()

    # By pages of ids, each read whole before it is written: the rows change under the reading otherwise.
    last = 0
    while page := list(rows.filter(pk__gt=last).order_by("pk")[:CHUNK]):
        last = page[-1][0]
        pending.extend(page)
        flush()
    return affected


def activation_figures_schedule(*, partner_ids: Iterable[int]) -> None:
    """Recompute these partners' stored figures on a worker once the caller's transaction commits."""
    ids = sorted(set(partner_ids))
    if ids:
        enqueue_on_commit("activations.tasks.refresh_figures", ids)


def activations_relink_after_sellout(*, batch_id: int | None, partner_id: int | None, reverted: bool) -> set[int]:
    """Sell-out lines of a delivery were written or reverted: re-link the activations that may change seller.

    Those whose serial is on a line of the delivery, those sold by a line it rewrote, and after a revert every
    activation its reporter sold (the lines may be gone). Schedules the figures of the partners that changed.
    """
    condition = Q(pk__in=[])
    if batch_id is not None:
        serials = SellOutSerial.objects.filter(line__batch_id=batch_id).values("serial")
        condition |= Q(identifier__in=serials) | Q(sale_line__batch_id=batch_id)
    if reverted and partner_id is not None:
        condition |= Q(partner_id=partner_id)
    with transaction.atomic():
        affected = activation_sellers_relink(activations=Activation.objects.filter(condition))
        if partner_id is not None:
            affected.add(partner_id)  # its units sold changed, whether or not any activation moved
        activation_figures_schedule(partner_ids=affected)
    return affected


def on_event(event: Event) -> None:
    """core.events subscriber (after commit): sell-out lines were reported or reverted."""
    if event.name != "sellout.reported":
        return
    enqueue_on_commit(
        "activations.tasks.relink_after_sellout",
        event.data.get("batch"),
        event.partner_id,
        bool(event.data.get("reverted")),
    )


def _revert(
    model: type[Activation] | type[UsageRecord], values: tuple[str, ...], batch: ImportBatch
) -> tuple[dict, set]:
    summary = {"deleted": 0, "restored": 0, "kept": 0}
    partner_path = "partner_id" if model is Activation else "activation__partner_id"
    partners = set(
        model.objects.filter(batch=batch).exclude(**{partner_path: None}).values_list(partner_path, flat=True)
    )
    created = model.objects.filter(batch=batch, previous={})
    restored = []
    for row in model.objects.filter(batch=batch).exclude(previous={}).select_for_update():
        for name in values:
            setattr(row, name, _unjson(name, row.previous[name]))
        row.batch_id = row.previous["batch_id"]
        row.previous = {}
        restored.append(row)
    if restored:
        model.objects.bulk_update(restored, [*values, "batch", "previous"], batch_size=CHUNK)
    summary["restored"] = len(restored)
    # Rows this delivery wrote that a later one has changed since: kept as that delivery left them.
    summary["kept"] = model.objects.filter(previous__batch_id=batch.pk).count()
    summary["deleted"] = created.count()
    created.delete()  # an activation's usage months go with it
    return summary, partners


def activation_batch_revert(batch: ImportBatch) -> dict[str, int]:
    """Undo a delivery of activations (ingest.services.import_batch_revert): the units it created are deleted
    (with their usage months), those it changed get back the values before it; units a later delivery
    changed are kept as that delivery left them. One level: what a delivery replaced is all it can restore."""
    summary, partners = _revert(Activation, ACTIVATION_VALUES, batch)
    activation_figures_schedule(partner_ids=partners)
    return summary


def usage_batch_revert(batch: ImportBatch) -> dict[str, int]:
    """Undo a delivery of usage months, by the same rule as activations."""
    summary, partners = _revert(UsageRecord, USAGE_VALUES, batch)
    activation_figures_schedule(partner_ids=partners)
    return summary
