"""Small display helpers for deal pages."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

STATUS_CLASSES = {
    "draft": "text-bg-light border",
    "submitted": "text-bg-primary",
    "approved": "text-bg-success",
    "rejected": "text-bg-danger",
    "withdrawn": "text-bg-secondary",
    "won": "text-bg-success",
    "lost": "text-bg-dark",
    "expired": "text-bg-warning",
}


@register.simple_tag
def status_badge(deal) -> str:
    """The status as a coloured badge (the text carries the meaning; colour only repeats it)."""
    css = STATUS_CLASSES.get(deal.status, "text-bg-secondary")
    badge = format_html('<span class="badge {}">{}</span>', css, deal.get_status_display())
    if deal.is_overdue_draft:
        # Wherever a deal's status shows, a draft that can no longer be submitted as it is says so.
        badge += format_html(
            ' <span class="badge text-bg-warning" title="The expected close date ({}) has passed; '
            'move it before submitting">Close date passed</span>',
            deal.expected_close_date.isoformat(),
        )
    return badge


@register.filter
def waited(since: datetime | None) -> str:
    """How long something has waited, in days and hours ("3 d 4 h"), or "—"."""
    if since is None:
        return "—"
    seconds = max(int((timezone.now() - since).total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h"
    return f"{rest // 60} min"


@register.filter
def waited_days(since: datetime | None) -> int:
    if since is None:
        return 0
    return max((timezone.now() - since).days, 0)


EVENT_LABELS = {
    "created": "Created",
    "edited": "Draft edited",
    "conflict": "Overlap flagged",
    "extension_requested": "Extension requested",
    "extension": "Protection extended",
    "expiry_warning": "Expiry warning sent",
}


@register.filter
def event_label(event) -> str:
    """What an event did: the status change, or the kind of action."""
    if event.kind == "status" and event.to_status:
        if event.from_status:
            return f"{event.get_from_status_display()} → {event.get_to_status_display()}"
        return event.get_to_status_display()
    return EVENT_LABELS.get(event.kind, event.kind.replace("_", " ").capitalize())
