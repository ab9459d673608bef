"""Writing provenance records, and reverting one delivery.

Each app whose rows carry a batch registers a reverter for the kinds of batch it writes
(`register_reverter`), in its AppConfig.ready(); this app imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError

from .models import ImportBatch

# kind -> function(batch) -> {"deleted": n, "restored": n, "kept": n}: undo what the batch wrote that is still current.
Reverter = Callable[[ImportBatch], dict[str, int]]
_REVERTERS: dict[str, Reverter] = {}


def register_reverter(kind: str, reverter: Reverter) -> None:
    _REVERTERS[kind] = reverter


def revertible_kinds() -> frozenset[str]:
    return frozenset(_REVERTERS)


def import_batch_open(
    *,
    kind: str,
    channel: str,
    partner: Any = None,
    user: Any = None,
    token: Any = None,
    filename: str = "",
    reference: str = "",
) -> ImportBatch:
    """Record the start of one delivery; the caller writes its rows with `batch=` this record."""
    user = user if getattr(user, "pk", None) else None
    return ImportBatch.objects.create(
        kind=kind,
        channel=channel,
        partner=partner,
        user=user,
        token=token,
        filename=(filename or "")[:255],
        reference=(reference or "")[:100],
    )


def import_batch_record_counts(*, batch: ImportBatch, counts: dict[str, int]) -> ImportBatch:
    """Add a write's created/updated/unchanged counts to the batch."""
    batch.created_count += counts.get("created", 0)
    batch.updated_count += counts.get("updated", 0)
    batch.unchanged_count += counts.get("unchanged", 0)
    batch.save(update_fields=["created_count", "updated_count", "unchanged_count", "updated_at"])
    return batch


@transaction.atomic
def import_batch_revert(*, batch: ImportBatch, user: Any) -> ImportBatch:
    """Undo one delivery: rows it created are deleted, rows it corrected get their previous values back.

    Rule: only what the batch wrote and nobody changed since is undone; a row a later delivery replaced
    stays as that delivery left it (the summary counts it as kept). Managers who see the batch may revert
    it, once.
    """
    if not (getattr(user, "is_channel_manager", False) or getattr(user, "is_superuser", False)):
        raise ActionNotPermittedError("Only the channel team may revert an import.")
    locked = ImportBatch.objects.visible_to(user).select_for_update().filter(pk=batch.pk).first()
    if locked is None:
        raise ActionNotPermittedError("You may not revert this import.")
    if locked.reverted_at is not None:
        raise TransitionNotAllowedError("This import was already reverted.")
    reverter = _REVERTERS.get(locked.kind)
    if reverter is None:
        raise TransitionNotAllowedError(f"Imports of {locked.kind} cannot be reverted.")
    summary = reverter(locked)
    locked.reverted_at = timezone.now()
    locked.reverted_by = user
    locked.revert_summary = summary
    locked.save(update_fields=["reverted_at", "reverted_by", "revert_summary", "updated_at"])
    return locked
