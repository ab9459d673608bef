"""The workflow toolkit: what every status lifecycle shares (deal registrations, warranty claims, and the
funds, tickets and applications to come).

An app declares its workflow once, next to its models:

    DEAL_WORKFLOW = Workflow(
        model=DealRegistration, transitions=DEAL_TRANSITIONS, event_model=DealEvent,
        subject="deal", noun="registration", reference_prefix="DR",
    )

and its services use it, inside their transaction, in this order:

1. `require_manager` / `require_partner_member`: who may act (the visibility rule decides which rows);
2. `lock`: the row is re-read under a lock, in place, so two concurrent changes cannot both pass the checks;
3. `check` (or `move`, which checks, changes and records): the transitions table allows the change,
   else a TransitionNotAllowedError that says what the object is and what was refused;
4. `record`: one line of history per change (when, who, from, to, note), in the same transaction;
5. `next_reference`: a human reference such as DR-2026-000123, from one locked counter per prefix and year.

Who hears about a change is one rule too, in `partners.selectors` (`manager_recipients`,
`partner_recipients`): core knows neither partners nor roles.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone

from .exceptions import ActionNotPermittedError, TransitionNotAllowedError
from .models import ReferenceSequence


@dataclass(frozen=True)
class Workflow:
    """One model's lifecycle: its transitions table, its history table and its reference format."""

    model: type[models.Model]
    transitions: Mapping[str, Collection[str]]
    event_model: type[models.Model]
    subject: str  # the history row's foreign key to the object, e.g. "deal"
    noun: str  # what users call one, e.g. "registration"
    reference_prefix: str  # e.g. "DR" for DR-2026-000123
    reference_digits: int = 6

    # --- who may act ---------------------------------------------------------------------------------

    def require_manager(self, obj: Any, user: Any, *, action: str) -> None:
        """Only an active channel manager who may change the object's partner acts (approve, reject, pay, …)."""
        is_manager = bool(
            user is not None and getattr(user, "is_authenticated", False) and user.is_active and user.is_channel_manager
        )
        if not is_manager:
            raise ActionNotPermittedError(f"Only channel managers may {action} a {self.noun}.")
        if not self.model._default_manager.editable_by(user).filter(pk=obj.pk).exists():
            raise ActionNotPermittedError(f"{obj.reference} belongs to a partner outside your regions.")

    def require_partner_member(self, obj: Any, user: Any, *, action: str) -> None:
        """Only a member of the object's own partner acts (submit, withdraw, close, …).

        A distributor may read its resellers' rows but not change them; it is told so.
        """
        if is_partner_member_of(user, obj.partner_id):
            return
        read_only = getattr(user, "is_partner_member", False) and (
            self.model._default_manager.visible_to(user).filter(pk=obj.pk).exists()
        )
        if read_only:
            raise ActionNotPermittedError(
                f"Your view of {obj.reference} is read-only; only the partner that owns it may {action} it."
            )
        raise ActionNotPermittedError(f"Only users of the partner that owns this {self.noun} may {action} it.")

    # --- the change ----------------------------------------------------------------------------------

    def lock(self, obj: Any) -> Any:
        """Re-read `obj` under a row lock (until the transaction ends) and refresh the caller's object in place."""
        fresh = self.model._default_manager.select_for_update().get(pk=obj.pk)
        for field in self.model._meta.concrete_fields:
            setattr(obj, field.attname, getattr(fresh, field.attname))
        return obj

    def check(self, obj: Any, to_status: str, verb: str) -> None:
        """Refuse a change the transitions table does not allow, saying what the object is now."""
        if to_status not in self.transitions.get(obj.status, ()):
            raise TransitionNotAllowedError(
                f"{obj.reference} is {obj.get_status_display().lower()}, so it cannot be {verb}."
            )

    def record(
        self,
        obj: Any,
        *,
        actor: Any,
        at: datetime | None = None,
        from_status: str = "",
        to_status: str = "",
        note: str = "",
        **fields: Any,
    ) -> models.Model:
        """One line of the object's history; `fields` fill the history table's own columns (e.g. `kind`)."""
        return self.event_model._default_manager.create(
            **{self.subject: obj},
            actor=actor,
            at=at or timezone.now(),
            from_status=from_status,
            to_status=to_status,
            note=note,
            **fields,
        )

    def move(
        self, obj: Any, to_status: str, *, actor: Any, verb: str, note: str = "", at: datetime | None = None, **changes
    ) -> models.Model:
        """Check and make a status change: set the status and `changes`, save them, record the history line.

        Call after `lock`. Returns the history row.
        """
        self.check(obj, to_status, verb)
        from_status = obj.status
        obj.status = to_status
        for name, value in changes.items():
            setattr(obj, name, value)
        update_fields = ["status", *changes]
        if any(field.name == "updated_at" for field in self.model._meta.concrete_fields):
            update_fields.append("updated_at")
        obj.save(update_fields=update_fields)
        return self.record(obj, actor=actor, at=at, from_status=from_status, to_status=to_status, note=note)

    # --- references ----------------------------------------------------------------------------------

    def next_reference(self, at: datetime) -> str:
        """The next free reference of the year of `at` (call inside the transaction that saves it).

        One counter row per prefix and year, locked until the caller commits, so concurrent creations
        take distinct numbers (a max+1 read would hand the same number to both). Rows written around
        the counter (seeded or imported with their own references) make it jump past the highest one
        used: at most two extra queries, never a scan.
        """
        year = at.year
        ReferenceSequence.objects.get_or_create(
            prefix=self.reference_prefix, year=year, defaults={"last_number": lambda: self._highest_used(year)}
        )
        sequence = ReferenceSequence.objects.select_for_update().get(prefix=self.reference_prefix, year=year)
        number = sequence.last_number + 1
        if self.model._default_manager.filter(reference=self.format_reference(year, number)).exists():
            number = max(number, self._highest_used(year)) + 1
        sequence.last_number = number
        sequence.save(update_fields=["last_number"])
        return self.format_reference(year, number)

    def format_reference(self, year: int, number: int) -> str:
        return f"{self.reference_prefix}-{year}-{number:0{self.reference_digits}d}"

    def _highest_used(self, year: int) -> int:
        prefix = f"{self.reference_prefix}-{year}-"
        last = (
            self.model._default_manager.filter(reference__startswith=prefix)
            .order_by(Length("reference").desc(), "-reference")  # -999999 sorts after -1000000 as text
            .values_list("reference", flat=True)
            .first()
        )
        tail = last[len(prefix) :] if last else ""
        return int(tail) if tail.isdigit() else 0


REJECTION_REASON_NEEDED = "Give the reason for the rejection; the partner will see it."


def required_reason(value: str | None, *, field: str = "reason", message: str = REJECTION_REASON_NEEDED) -> str:
    """The reason a decision must give (a rejection, a loss), stripped; a field error when it is blank.

    The partner reads it, so a decision without one is refused rather than recorded with an empty note.
    """
    reason = (value or "").strip()
    if not reason:
        raise ValidationError({field: [message]})
    return reason


def is_partner_member_of(user: Any, partner_id: int | None) -> bool:
    """An active partner admin or user of that very partner (a distributor's view of a reseller is read-only)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_partner_member
        and partner_id is not None
        and user.partner_id == partner_id
    )
