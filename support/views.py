"""Support pages: partners open and follow their tickets in the portal; the support team works the queue in
/manage/. Both sides comment and move tickets on the detail page, through the same services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView

from core.exceptions import ServiceError
from core.lists import FilteredListView
from core.views import (
    ManagerRequiredMixin,
    PartnerMemberRequiredMixin,
    ServiceActionMixin,
    VisibleQuerysetMixin,
    add_service_errors,
)

from . import sla
from .columns import EXPORT_COLUMNS, SORT_FIELDS
from .filtersets import OPEN, TicketFilterSet
from .forms import CommentForm, NoteForm, TicketForm
from .models import OPEN_STATUSES, Ticket, TicketStatus
from .selectors import LIST_RELATED, ticket_comments, ticket_history, ticket_queue_summary
from .services import PARTNER_MOVES, VENDOR_MOVES, ticket_comment, ticket_open, ticket_transition

S = TicketStatus
# The buttons of the detail page: action → (target status, label). "reopen" is resolved → in progress.
MOVES = {
    "start": (S.IN_PROGRESS, "Start work"),
    "wait_partner": (S.WAITING_ON_PARTNER, "Wait on partner"),
    "wait_vendor": (S.WAITING_ON_VENDOR, "Wait on vendor"),
    "resolve": (S.RESOLVED, "Mark resolved"),
    "close": (S.CLOSED, "Confirm and close"),
    "reopen": (S.IN_PROGRESS, "Reopen"),
}


class _TicketListBase(VisibleQuerysetMixin, FilteredListView):
    model = Ticket
    filterset_class = TicketFilterSet
    paginate_by = 50
    template_name = "support/ticket_list.html"
    area = "portal"
    ordering = ("-opened_at", "-pk")
    sort_fields = SORT_FIELDS
    export_columns = EXPORT_COLUMNS
    export_name = "support tickets"
    hidden_filters: tuple[str, ...] = ("partner", "region")

    def get_queryset(self):
        return super().get_queryset().select_related(*LIST_RELATED)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for name in self.hidden_filters:
            filterset.form.fields.pop(name, None)
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["area"] = self.area
        now = timezone.now()
        for ticket in context["object_list"]:
            ticket.breached = sla.is_breached(ticket, now=now)
            ticket.remaining = sla.resolution_remaining(ticket, now=now)
        return context


class TicketListView(PartnerMemberRequiredMixin, _TicketListBase):
    """The partner's tickets, newest first."""


class ManageTicketQueueView(ManagerRequiredMixin, _TicketListBase):
    """The support queue: open tickets, the resolution due soonest first, unless the filters say otherwise."""

    area = "manage"
    hidden_filters = ()
    ordering = ("resolution_due_at", "pk")
    export_name = "support queue"

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if "status" not in self.request.GET:
            data = self.request.GET.copy()
            data["status"] = OPEN
            kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = ticket_queue_summary(user=self.request.user)
        return context


class TicketCreateView(PartnerMemberRequiredMixin, FormView):
    template_name = "support/ticket_form.html"
    form_class = TicketForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        # "Open a ticket about this claim" links from a claim's page.
        initial = super().get_initial()
        claim = self.request.GET.get("warranty_claim", "")
        if claim.isdigit():
            initial["warranty_claim"] = int(claim)
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                ticket = ticket_open(
                    partner=self.request.user.partner,
                    user=self.request.user,
                    product=data["product"],
                    category=data["category"],
                    severity=data["severity"],
                    subject=data["subject"],
                    description=data["description"],
                    serial_number=data["serial_number"],
                    customer=data["customer"],
                    customer_name=data["customer_name"],
                    warranty_claim=data["warranty_claim"],
                    deal=data["deal"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc, fields={"customer.name": "customer_name"})
            return self.form_invalid(form)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Ticket {ticket.reference} opened; the support team has been told.")
        return redirect("support:ticket_detail", pk=ticket.pk)


class _TicketDetailBase(VisibleQuerysetMixin, ServiceActionMixin, DetailView):
    """A ticket with its comments and history; posts comment or move it (`action`) through the services."""

    model = Ticket
    context_object_name = "ticket"
    template_name = "support/ticket_detail.html"
    area = "portal"
    moves: set[tuple[str, str]] = PARTNER_MOVES
    url_name = "support:ticket_detail"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "partner", "product", "category", "customer", "raised_by", "warranty_claim", "deal", "deal__customer"
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.object
        user = self.request.user
        now = timezone.now()
        context["area"] = self.area
        context["comments"] = ticket_comments(user=user, ticket=ticket)
        context["events"] = ticket_history(user=user, ticket=ticket)
        context["breached"] = sla.is_breached(ticket, now=now)
        context["remaining"] = sla.resolution_remaining(ticket, now=now)
        context["clock"] = sla.clock_state(ticket)
        context.setdefault(
            "comment_form", CommentForm(allow_internal=self.area == "manage") if ticket.status != S.CLOSED else None
        )
        context.setdefault("note_form", NoteForm())
        context["actions"] = [
            (action, label)
            for action, (target, label) in MOVES.items()
            if (ticket.status, target) in self.moves
            and (action != "start" or ticket.status != S.RESOLVED)
            and (action != "reopen" or ticket.status == S.RESOLVED)
        ]
        return context

    @property
    def action(self) -> str:
        return self.request.POST.get("action", "")

    def post(self, request, *args, **kwargs):
        if self.action != "comment" and self.action not in MOVES:
            messages.error(request, "Unknown action.")
            return redirect(self.url_name, pk=kwargs["pk"])
        self.error_field = "body" if self.action == "comment" else "note"
        return super().post(request, *args, **kwargs)

    def get_action_form_class(self):
        return CommentForm if self.action == "comment" else NoteForm

    def get_action_form_kwargs(self):
        kwargs = super().get_action_form_kwargs()
        if self.action == "comment":
            kwargs["allow_internal"] = self.area == "manage"
        return kwargs

    def act(self, ticket, data):
        user = self.request.user
        if self.action == "comment":
            comment = ticket_comment(ticket=ticket, user=user, body=data["body"], internal=data.get("internal", False))
            return f"{ticket.reference}: {'internal note' if comment.is_internal else 'comment'} added."
        target, _ = MOVES[self.action]
        ticket_transition(ticket=ticket, user=user, to_status=target, note=data["note"])
        return f"{ticket.reference}: {ticket.get_status_display().lower()}."

    def get_success_url(self) -> str:
        return reverse(self.url_name, args=[self.object.pk])

    def invalid(self, ticket, form):
        self.object = self.get_object()
        key = "comment_form" if self.action == "comment" else "note_form"
        return self.render_to_response(self.get_context_data(**{key: form}))


class TicketDetailView(PartnerMemberRequiredMixin, _TicketDetailBase):
    pass


class ManageTicketDetailView(ManagerRequiredMixin, _TicketDetailBase):
    area = "manage"
    moves = VENDOR_MOVES
    url_name = "support:manage_ticket_detail"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partner_open_tickets"] = (
            Ticket.objects.visible_to(self.request.user)
            .filter(partner_id=self.object.partner_id, status__in=OPEN_STATUSES)
            .count()
        )
        return context
