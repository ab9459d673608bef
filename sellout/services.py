"""Writing sell-out lines. The portal, the CSV import, the bulk API and EDI 867 all come through here."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.events import emit
from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from core.normalise import normalise_company_name, normalise_domain
from customers.models import Customer
from customers.services import customer_validate
from ingest.models import ImportBatch
from partners.models import Partner

from .models import EndCustomerCandidate, SellOutCorrection, SellOutLine, SellOutSerial
from .pgupsert import upsert_postgres

UPSERT_CHUNK = 2000
MAX_QUANTITY = 10_000_000

# The values a line carries; a re-sent line that changes any of them is a correction.
LINE_FIELDS = (
    "date",
    "transaction_type",
    "product_id",
    "quantity",
    "unit_price",
    "currency",
    "sold_to_partner_id",
    "sold_to_name",
    "end_customer_name",
    "end_customer_country",
    "end_customer_postcode",
    "end_customer_domain",
)
CUSTOMER_FIELDS = ("customer_id", "customer_candidate_id", "customer_match")
_TEXT_DEFAULTS = {
    "sold_to_name": "",
    "end_customer_name": "",
    "end_customer_country": "",
    "end_customer_postcode": "",
    "end_customer_domain": "",
}


def _current(line: SellOutLine, field: str) -> Any:
    """A line's stored value in the form rows carry (a country as its code)."""
    value = getattr(line, field)
    return value.code or "" if field == "end_customer_country" else value


def _as_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _from_json(field: str, value: Any) -> Any:
    if field == "date":
        return date.fromisoformat(value)
    if field == "unit_price":
        return Decimal(value)
    return value


def _clean_rows(rows: Sequence[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Last line of defence for callers that skipped the row validation: refuse what the database would.

    Rows are dicts of `LINE_FIELDS` (`product_id` may be given as `product`) plus `invoice_number`,
    `invoice_line` and optional `serials` and `row` (the source row number, for messages).
    """
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    clean: list[dict[str, Any]] = []
    for index, raw in enumerate(rows, start=1):
        label = f"row {raw.get('row', index)}"
        row = {**_TEXT_DEFAULTS, **raw}
        product = row.pop("product", None)
        if "product_id" not in row:
            row["product_id"] = getattr(product, "pk", product)
        sold_to = row.pop("sold_to_partner", None)
        if "sold_to_partner_id" not in row:
            row["sold_to_partner_id"] = getattr(sold_to, "pk", sold_to)
        row["serials"] = sorted({str(s).strip() for s in row.get("serials") or [] if str(s).strip()})
        invoice = str(row.get("invoice_number") or "").strip()
        line_no = row.get("invoice_line")
        if not invoice or len(invoice) > 50:
            problems.append(f"{label}: invoice number is required (50 characters at most)")
            continue
        if not isinstance(line_no, int) or isinstance(line_no, bool) or line_no < 1:
            problems.append(f"{label}: invoice line must be a whole number, 1 or more")
            continue
        if (invoice, line_no) in seen:
            problems.append(f"{label}: invoice {invoice} line {line_no} appears twice")
        seen.add((invoice, line_no))
        row["invoice_number"] = invoice
        if not isinstance(row["product_id"], int):
            problems.append(f"{label}: product is required")
        day = row.get("date")
        if not isinstance(day, date) or hasattr(day, "hour"):
            problems.append(f"{label}: date is required")
        elif day > today:
            problems.append(f"{label}: date {day.isoformat()} is in the future")
        if row.get("transaction_type") not in SellOutLine.SIGN:
            problems.append(f"{label}: transaction type must be one of {', '.join(SellOutLine.SIGN)}")
        quantity = row.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_QUANTITY:
            problems.append(f"{label}: quantity must be a whole number from 1 to {MAX_QUANTITY:,}")
        price = row.get("unit_price")
        if not isinstance(price, Decimal) or not price.is_finite() or price < 0 or price != round(price, 2):
            problems.append(f"{label}: unit price must be an amount of 0 or more with at most 2 decimals")
        currency = row.get("currency")
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            problems.append(f"{label}: currency must be a 3-letter ISO 4217 code")
        clean.append(row)
    if problems:
        raise ValidationError({"rows": problems[:50]})
    return clean


def _match_customers(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str], tuple[int | None, int | None]]:
    """(normalised name, domain) -> (customer id, candidate id) for the end customers the rows name.

    The rule deals use (customers.services): the same normalised domain is the same company; else the same
    normalised name. Matched among all customers (a match is never shown to the partner: it reads only what
    it typed); an unmatched end customer becomes, or finds again, a candidate for the channel team.
    """
    keys: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = _customer_key(row.get("end_customer_name"), row.get("end_customer_domain"))
        if key is not None:
            keys.setdefault(key, row)
    if not keys:
        return {}
    by_domain: dict[str, int] = {}
    domains = {domain for _, domain in keys if domain}
    for pk, domain in Customer.objects.filter(domain__in=domains).order_by("-pk").values_list("pk", "domain"):
        by_domain[domain] = pk  # the oldest customer wins, as in customer_get_or_create
    by_name: dict[str, int] = {}
    names = {name for name, _ in keys}
    named = Customer.objects.filter(normalised_name__in=names).order_by("-pk")
    for pk, name in named.values_list("pk", "normalised_name"):
        by_name[name] = pk
    result: dict[tuple[str, str], tuple[int | None, int | None]] = {}
    unmatched: list[tuple[str, str]] = []
    for key in keys:
        name, domain = key
        customer_id = by_domain.get(domain) if domain else None
        customer_id = customer_id or by_name.get(name)
        if customer_id:
            result[key] = (customer_id, None)
        else:
            unmatched.append(key)
    if unmatched:
        EndCustomerCandidate.objects.bulk_create(
            [
                EndCustomerCandidate(
                    name=keys[key]["end_customer_name"].strip()[:200],
                    normalised_name=key[0],
                    domain=key[1],
                    country=keys[key].get("end_customer_country") or "",
                    postcode=(keys[key].get("end_customer_postcode") or "")[:20],
                )
                for key in unmatched
            ],
            ignore_conflicts=True,
        )
        names = {name for name, _ in unmatched}
        found = EndCustomerCandidate.objects.filter(normalised_name__in=names).values_list(
            "pk", "normalised_name", "domain", "status", "customer_id"
        )
        for pk, name, domain, status, customer_id in found:
            if (name, domain) in keys and (name, domain) in unmatched:
                # A candidate the channel team already resolved sends its lines to that customer.
                result[(name, domain)] = (customer_id, None) if status != "open" else (None, pk)
    return result


@functools.lru_cache(maxsize=65_536)
def _normalised(name: str, domain: str) -> tuple[str, str] | None:
    """(normalised name, normalised domain) of an end customer; None without a usable name. Cached: a delivery
    names each end customer on many lines."""
    normalised = normalise_company_name(name.strip())
    return (normalised, normalise_domain(domain)) if normalised else None


def _customer_key(name: str | None, domain: str | None) -> tuple[str, str] | None:
    return _normalised(name or "", domain or "")


def _customer_fields(row: dict[str, Any], matches: dict) -> dict[str, Any]:
    key = _customer_key(row.get("end_customer_name"), row.get("end_customer_domain"))
    if key is None:
        return {"customer_id": None, "customer_candidate_id": None, "customer_match": SellOutLine.CustomerMatch.NONE}
    customer_id, candidate_id = matches.get(key, (None, None))
    if customer_id:
        return {"customer_id": customer_id, "customer_candidate_id": None, "customer_match": "matched"}
    return {"customer_id": None, "customer_candidate_id": candidate_id, "customer_match": "candidate"}


@transaction.atomic
def sellout_lines_upsert(
    *,
    reporter: Partner,
    rows: Sequence[dict[str, Any]],
    batch: ImportBatch,
    user: Any = None,
    today: date | None = None,
) -> dict[str, int]:
    """Write a reporter's sell-out lines: one per (reporter, invoice number, invoice line).

    A new line is created; a line sent again with the same values is left alone (`unchanged`); one sent with
    different values is replaced and a `SellOutCorrection` keeps what it held before (`updated`). End customers
    are matched to customers or to review candidates. All or nothing: rows are checked first, and one bad row
    writes none. Returns {"created", "updated", "unchanged"}. On PostgreSQL the writing is `pgupsert`'s
    set-based statements, checked against `_upsert_portable` by tests.
    """
    today = today or timezone.localdate()
    clean = _clean_rows(rows, today)
    for start in range(0, len(clean), UPSERT_CHUNK):
        chunk = clean[start : start + UPSERT_CHUNK]
        matches = _match_customers(chunk)
        for row in chunk:
            row.update(_customer_fields(row, matches))
    user = user if getattr(user, "pk", None) else None
    source = batch.channel if batch.channel in SellOutLine.Source.values else SellOutLine.Source.API
    now = timezone.now()
    if connection.vendor == "postgresql":
        counts = upsert_postgres(
            reporter_id=reporter.pk,
            rows=clean,
            batch_id=batch.pk,
            source=source,
            user_id=getattr(user, "pk", None),
            now=now,
        )
    else:
        counts = _upsert_portable(reporter=reporter, rows=clean, batch=batch, source=source, user=user, now=now)
    batch.created_count += counts["created"]
    batch.updated_count += counts["updated"]
    batch.unchanged_count += counts["unchanged"]
    batch.save(update_fields=["created_count", "updated_count", "unchanged_count", "updated_at"])
    if counts["created"] or counts["updated"]:
        emit(
            "sellout.reported",
            partner_id=reporter.pk,
            data={"partner": reporter.pk, "batch": batch.pk, **counts},
        )
    return counts


def _upsert_portable(
    *, reporter: Partner, rows: list[dict[str, Any]], batch: ImportBatch, source: str, user: Any, now: datetime
) -> dict[str, int]:
    """The rule of `sellout_lines_upsert` with the ORM, chunk by chunk: SQLite's path, and pgupsert's reference."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(rows), UPSERT_CHUNK):
        chunk = rows[start : start + UPSERT_CHUNK]
        existing = {
            (line.invoice_number, line.invoice_line): line
            for line in SellOutLine.objects.filter(
                reporter=reporter, invoice_number__in={row["invoice_number"] for row in chunk}
            ).prefetch_related("serials")
        }
        new_lines: list[tuple[SellOutLine, list[str]]] = []
        changed: list[tuple[SellOutLine, list[str]]] = []
        corrections: list[SellOutCorrection] = []
        for row in chunk:
            values = {field: row[field] for field in (*LINE_FIELDS, *CUSTOMER_FIELDS)}
            line = existing.get((row["invoice_number"], row["invoice_line"]))
            if line is None:
                line = SellOutLine(
                    reporter=reporter,
                    invoice_number=row["invoice_number"],
                    invoice_line=row["invoice_line"],
                    source=source,
                    batch=batch,
                    reported_by=user,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
                new_lines.append((line, row["serials"]))
                continue
            old_serials = sorted(serial.serial for serial in line.serials.all())
            differs = [f for f in LINE_FIELDS if _current(line, f) != values[f]]
            if old_serials != row["serials"]:
                differs.append("serials")
            if not differs:
                counts["unchanged"] += 1
                continue
            previous = {f: _as_json(_current(line, f)) for f in LINE_FIELDS}
            previous.update(
                serials=old_serials, batch_id=line.batch_id, source=line.source, reported_by_id=line.reported_by_id
            )
            line.revision += 1
            corrections.append(
                SellOutCorrection(
                    line=line,
                    revision=line.revision,
                    batch=batch,
                    changed_by=user,
                    changed_at=now,
                    previous=previous,
                    changed_fields=differs,
                )
            )
            for field, value in values.items():
                setattr(line, field, value)
            line.source, line.batch, line.reported_by, line.updated_at = source, batch, user, now
            changed.append((line, row["serials"]))
        if new_lines:
            SellOutLine.objects.bulk_create([line for line, _ in new_lines], batch_size=UPSERT_CHUNK)
        if changed:
            written = [*LINE_FIELDS, *CUSTOMER_FIELDS, "source", "batch", "reported_by", "revision", "updated_at"]
            SellOutLine.objects.bulk_update([line for line, _ in changed], written, batch_size=UPSERT_CHUNK)
            SellOutSerial.objects.filter(line__in=[line for line, _ in changed]).delete()
            SellOutCorrection.objects.bulk_create(corrections, batch_size=UPSERT_CHUNK)
        SellOutSerial.objects.bulk_create(
            [
                SellOutSerial(line=line, product_id=line.product_id, serial=serial)
                for line, serials in [*new_lines, *changed]
                for serial in serials
            ],
            batch_size=UPSERT_CHUNK,
        )
        counts["created"] += len(new_lines)
        counts["updated"] += len(changed)
    return counts


def sellout_batch_revert(batch: ImportBatch) -> dict[str, int]:
    """Undo the lines a delivery wrote that are still as it left them (ingest.services.import_batch_revert).

    Lines it created are deleted; lines it corrected get back the values they held before it (its correction
    records go, the revert itself being recorded on the batch). Lines a later delivery changed are kept as
    that delivery left them.
    """
    summary = {"deleted": 0, "restored": 0, "kept": 0}
    lines = list(SellOutLine.objects.filter(batch=batch).select_for_update())
    reporters = {line.reporter_id for line in lines}
    own: dict[int, list[SellOutCorrection]] = {}
    for correction in SellOutCorrection.objects.filter(batch=batch).order_by("revision"):
        own.setdefault(correction.line_id, []).append(correction)
    to_delete: list[int] = []
    for line in lines:
        corrections = own.get(line.pk, [])
        first = corrections[0] if corrections else None
        if first is None or first.previous.get("batch_id") == batch.pk:
            to_delete.append(line.pk)  # this delivery created the line
            continue
        previous = first.previous
        for field in LINE_FIELDS:
            setattr(line, field, _from_json(field, previous[field]))
        line.batch_id = previous["batch_id"]
        line.source = previous["source"]
        line.reported_by_id = previous["reported_by_id"]
        line.revision = first.revision - 1
        for field, value in _customer_fields(previous, _match_customers([previous])).items():
            setattr(line, field, value)
        line.save()
        line.serials.all().delete()
        SellOutSerial.objects.bulk_create(
            [SellOutSerial(line=line, product_id=line.product_id, serial=s) for s in previous["serials"]]
        )
        SellOutCorrection.objects.filter(pk__in=[c.pk for c in corrections]).delete()
        summary["restored"] += 1
    # Lines it wrote (created, or corrected) that a later delivery has replaced since.
    touched = SellOutCorrection.objects.filter(Q(batch=batch) | Q(previous__batch_id=batch.pk))
    summary["kept"] = touched.exclude(line__batch=batch).values("line").distinct().count()
    if to_delete:
        SellOutLine.objects.filter(pk__in=to_delete).delete()
    summary["deleted"] = len(to_delete)
    for partner_id in reporters:
        data = {"partner": partner_id, "batch": batch.pk, "reverted": True}
        emit("sellout.reported", partner_id=partner_id, data=data)
    return summary


def _candidate_for_manager(candidate: EndCustomerCandidate, user: Any) -> EndCustomerCandidate:
    """The candidate, locked, if `user` is a manager who sees it and it is still open; else a clear refusal."""
    if not (getattr(user, "is_channel_manager", False) or getattr(user, "is_superuser", False)):
        raise ActionNotPermittedError("Only the channel team reviews new end customers.")
    if not EndCustomerCandidate.objects.visible_to(user).filter(pk=candidate.pk).exists():
        raise ActionNotPermittedError("You may not review this end customer.")
    # Locked apart from the visibility test: a regional manager's rule joins the lines (DISTINCT, no FOR UPDATE).
    locked = EndCustomerCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != EndCustomerCandidate.Status.OPEN:
        raise TransitionNotAllowedError(f"{locked.name} was already reviewed ({locked.get_status_display().lower()}).")
    return locked


def _resolve_candidate(candidate: EndCustomerCandidate, customer: Customer, status: str, user: Any) -> int:
    candidate.status = status
    candidate.customer = customer
    candidate.resolved_by = user
    candidate.resolved_at = timezone.now()
    candidate.save(update_fields=["status", "customer", "resolved_by", "resolved_at", "updated_at"])
    # Every line of the candidate follows it; the candidate link stays, so the lines show how they matched.
    return SellOutLine.objects.filter(customer_candidate=candidate).update(
        customer=customer, customer_match=SellOutLine.CustomerMatch.MATCHED, updated_at=timezone.now()
    )


@transaction.atomic
def end_customer_candidate_create(
    *, candidate: EndCustomerCandidate, user: Any, name: str = "", industry: str = ""
) -> tuple[Customer, int]:
    """Confirm a candidate as a new customer (its name, domain and country; `name` may correct the spelling).

    The customer is created even when the candidate's normalised name now matches one (the reviewer chose
    "new"); every line of the candidate then points to it. Returns (customer, lines moved).
    """
    locked = _candidate_for_manager(candidate, user)
    fields = customer_validate(
        name=name.strip() or locked.name, domain=locked.domain, country=locked.country.code or "", industry=industry
    )
    customer = Customer.objects.create(**fields)
    moved = _resolve_candidate(locked, customer, EndCustomerCandidate.Status.CREATED, user)
    return customer, moved


@transaction.atomic
def end_customer_candidate_link(*, candidate: EndCustomerCandidate, customer: Customer, user: Any) -> int:
    """Link a candidate to an existing customer the manager sees; every line of the candidate follows.

    Lines sent later with the same end customer go to that customer (the upsert finds the resolved
    candidate). Returns the number of lines moved.
    """
    locked = _candidate_for_manager(candidate, user)
    if not Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": ["Choose a customer you can see."]})
    return _resolve_candidate(locked, customer, EndCustomerCandidate.Status.LINKED, user)
