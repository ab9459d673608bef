"""Reading support tickets: every function starts from the visibility rule."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .filtersets import TicketFilterSet
from .models import OPEN_STATUSES, Ticket, TicketCategory, TicketComment, TicketEvent, breached_q

LIST_RELATED = ("partner", "product", "category")


def ticket_list(*, user: Any, filters: dict | None = None, request: Any = None) -> QuerySet[Ticket]:
    """Tickets the user may see, narrowed by `TicketFilterSet` filters, newest first."""
    queryset = Ticket.objects.visible_to(user).select_related(*LIST_RELATED)
    if filters:
        request = request or SimpleNamespace(user=user)
        queryset = TicketFilterSet(filters, queryset=queryset, request=request).qs
    return queryset


def ticket_comments(*, user: Any, ticket: Ticket) -> QuerySet[TicketComment]:
    """The ticket's comments the user may read, oldest first: partners never get internal notes."""
    return TicketComment.objects.visible_to(user).filter(ticket=ticket).select_related("author")


def ticket_history(*, user: Any, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The ticket's status changes in order, if the user may see the ticket."""
    return TicketEvent.objects.visible_to(user).filter(ticket=ticket).select_related("actor")


def ticket_queue_summary(*, user: Any) -> dict[str, int]:
    """Counts over the open tickets the user sees, for the queue's header: open, new (unanswered),
    waiting on the partner, breaching the SLA now, critical. One query."""
    now = timezone.now()
    return (
        Ticket.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            open=Count("pk"),
            unanswered=Count("pk", filter=Q(first_response_at__isnull=True)),
            waiting_on_partner=Count("pk", filter=Q(status="waiting_on_partner")),
            breached=Count("pk", filter=breached_q(now)),
            critical=Count("pk", filter=Q(severity="critical")),
        )
    )


def active_categories() -> QuerySet[TicketCategory]:
    return TicketCategory.objects.filter(is_active=True)
