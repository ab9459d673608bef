"""Writing rates: one upsert for every channel (CSV upload, API, demo), and the check-then-import of a file."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError

from .csv_import import validate_rate_csv
from .models import ExchangeRate, RateUpload, is_rate_keeper
from .validation import RateValidation

UPSERT_CHUNK = 1000


def _require_keeper(user: Any) -> None:
    if user is not None and not is_rate_keeper(user):
        raise ActionNotPermittedError("Only the channel team may change exchange rates.")


@transaction.atomic
def exchange_rates_upsert(*, rows: list[dict], source: str, user: Any = None) -> dict[str, int]:
    """Insert or replace rates, one per (currency, granularity, date): {"created", "updated", "unchanged"}.

    `rows` are clean rows (`validation.rates_validate_rows`). A rate equal to the stored one is left as it is
    (its source and author stay those of the first record); a different one replaces it and records this
    source and user. One read and one write per chunk of rows, whatever their number.
    """
    _require_keeper(user)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    now = timezone.now()
    for start in range(0, len(rows), UPSERT_CHUNK):
        chunk = rows[start : start + UPSERT_CHUNK]
        # One range read covers the chunk (the rate table is small; a rate outside the chunk is simply ignored).
        stored = {
            (c, g, d): r
            for c, g, d, r in ExchangeRate.objects.filter(
                currency__in={row["currency"] for row in chunk},
                date__gte=min(row["date"] for row in chunk),
                date__lte=max(row["date"] for row in chunk),
            ).values_list("currency", "granularity", "date", "rate")
        }
        changed = []
        for row in chunk:
            key = (row["currency"], row["granularity"], row["date"])
            if key in stored and stored[key] == row["rate"]:
                counts["unchanged"] += 1
                continue
            counts["updated" if key in stored else "created"] += 1
            changed.append(
                ExchangeRate(
                    currency=row["currency"],
                    granularity=row["granularity"],
                    date=row["date"],
                    rate=row["rate"],
                    source=source,
                    updated_by=user,
                    created_at=now,
                    updated_at=now,
                )
            )
        if changed:
            ExchangeRate.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["currency", "granularity", "date"],
                update_fields=["rate", "source", "updated_by", "updated_at"],
            )
    return counts


def _record(upload: RateUpload, result: RateValidation) -> None:
    upload.total_rows = result.total
    upload.valid_rows = len(result.valid)
    upload.error_count = len(result.errors)
    upload.errors = [e.as_dict() for e in result.errors[: RateUpload.MAX_STORED_ERRORS]]
    upload.file_error = result.file_error


def rate_upload_create(*, user: Any, filename: str, content: bytes) -> RateUpload:
    """Store an uploaded rate file and its check (errors by row and column); writes no rate."""
    _require_keeper(user)
    upload = RateUpload(user=user, filename=filename[:255], content=content)
    _record(upload, validate_rate_csv(content))
    upload.save()
    return upload


@transaction.atomic
def rate_upload_import(*, upload: RateUpload, user: Any) -> RateUpload:
    """Import the valid rows of a checked file (checked again now), in one transaction; once only."""
    _require_keeper(user)
    locked = RateUpload.objects.select_for_update().get(pk=upload.pk)
    if locked.status == RateUpload.Status.IMPORTED:
        raise TransitionNotAllowedError(f"{locked.filename} was already imported on {locked.imported_at:%Y-%m-%d}.")
    result = validate_rate_csv(bytes(locked.content))
    if not result.valid:
        raise TransitionNotAllowedError("This file has no valid rows to import. Fix it and upload it again.")
    counts = exchange_rates_upsert(rows=result.valid, source=ExchangeRate.Source.CSV, user=user)
    _record(locked, result)
    locked.created_count = counts["created"]
    locked.updated_count = counts["updated"]
    locked.unchanged_count = counts["unchanged"]
    locked.status = RateUpload.Status.IMPORTED
    locked.imported_at = timezone.now()
    locked.save()
    return locked
