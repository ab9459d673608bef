"""Support tickets over the API: the same services as the pages (support/services.py), the same rules and errors.

Partners' tokens open and follow their own tickets; the vendor's support system uses a channel manager's
token, which sees (and opens tickets for) the partners of that manager's regions.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.api.serializers import ProductResolver
from core.api.actions import ServiceAction, ServiceActionMixin
from core.api.viewsets import SCOPE_PUBLIC, SCOPE_VISIBLE, ReadOnlyScopedViewSet
from partners.models import Partner
from support import services
from support.filtersets import TicketFilterSet
from support.models import SlaPolicy, Ticket, TicketCategory, TicketEvent
from support.selectors import ticket_comments

from .serializers import (
    CommentCreateSerializer,
    NoteSerializer,
    SlaPolicySerializer,
    TicketCategorySerializer,
    TicketCommentSerializer,
    TicketCreateSerializer,
    TicketEventSerializer,
    TicketSerializer,
)

# The service names the picked customer `customer`; the API's field is `customer_id`.
FIELD_NAMES = {"customer": "customer_id", "customer.name": "customer_name"}


class TicketCategoryViewSet(ReadOnlyScopedViewSet):
    """Ticket categories (reference data; `code` is stable)."""

    scope = SCOPE_PUBLIC
    queryset = TicketCategory.objects.all()
    serializer_class = TicketCategorySerializer
    filterset_fields = ["is_active"]
    ordering_fields = ["id", "code", "position"]
    ordering = ("position", "name")
    lookup_value_regex = r"\d+"


class SlaPolicyViewSet(ReadOnlyScopedViewSet):
    """First-response and resolution targets per severity, in calendar hours."""

    scope = SCOPE_PUBLIC
    queryset = SlaPolicy.objects.all()
    serializer_class = SlaPolicySerializer
    ordering_fields = ["id", "first_response_hours"]
    ordering = ("first_response_hours",)
    lookup_value_regex = r"\d+"


def _partner_for(user, requested: int | None) -> Partner:
    """The partner a ticket is opened for: a partner's own; the one a channel manager names and may change."""
    if user.is_partner_member:
        if requested not in (None, user.partner_id):
            raise serializers.ValidationError({"partner": ["Partners open tickets for themselves only; omit it."]})
        return user.partner
    if requested is None:
        raise serializers.ValidationError({"partner": ["Name the partner the ticket is for."]})
    partner = Partner.objects.editable_by(user).filter(pk=requested).first()
    if partner is None:
        raise serializers.ValidationError({"partner": ["Unknown partner."]})
    return partner


class TicketViewSet(ServiceActionMixin, ReadOnlyScopedViewSet):
    """Support tickets you can see: your partner's, or your regions' / all for channel managers."""

    scope = SCOPE_VISIBLE
    service_object = "ticket"
    queryset = Ticket.objects.select_related("partner", "product", "category", "raised_by")
    serializer_class = TicketSerializer
    filterset_class = TicketFilterSet
    ordering_fields = ["id", "opened_at", "resolution_due_at", "last_activity_at"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketSerializer})
    def create(self, request):
        """Open a ticket; the SLA clock starts now (origin `api` for a partner, `vendor` for the channel team)."""
        context = {"request": request, "products": ProductResolver.for_lines([request.data], key=None)}
        serializer = TicketCreateSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        partner = _partner_for(request.user, data.get("partner"))
        try:
            ticket = services.ticket_open(
                partner=partner,
                user=request.user,
                product=data["product"],
                category=data["category"],
                severity=data["severity"],
                subject=data["subject"],
                description=data["description"],
                serial_number=data["serial_number"],
                customer=data.get("customer_id"),
                customer_name=data["customer_name"],
                warranty_claim=data.get("warranty_claim"),
                deal=data.get("deal"),
                via_api=True,
            )
        except DjangoValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            raise DjangoValidationError(
                {FIELD_NAMES.get(key, key): errors for key, errors in exc.error_dict.items()}
            ) from exc
        return self.show(ticket, status.HTTP_201_CREATED)

    @extend_schema(responses={200: TicketEventSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        """The ticket's status history, oldest first."""
        ticket = self.get_object()
        events = TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "pk")
        return Response(TicketEventSerializer(events, many=True).data)

    @extend_schema(methods=["GET"], responses={200: TicketCommentSerializer(many=True)}, filters=False, request=None)
    @extend_schema(methods=["POST"], request=CommentCreateSerializer, responses={201: TicketCommentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request, pk=None):
        """GET: the comments you may read, oldest first (partners never get internal notes).
        POST: add a comment; `internal: true` writes a vendor-only note (channel team only)."""
        ticket = self.get_object()
        if request.method == "GET":
            return Response(TicketCommentSerializer(ticket_comments(user=request.user, ticket=ticket), many=True).data)
        body = CommentCreateSerializer(data=request.data if request.data is not None else {})
        body.is_valid(raise_exception=True)
        comment = services.ticket_comment(
            ticket=ticket, user=request.user, body=body.validated_data["body"], internal=body.validated_data["internal"]
        )
        return Response(TicketCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    start = ServiceAction(services.ticket_start, body=NoteSerializer, doc="Work on it (channel team).")
    wait_on_partner = ServiceAction(
        services.ticket_wait_on_partner,
        body=NoteSerializer,
        url_path="wait-on-partner",
        doc="Ask the partner for something; the resolution clock pauses (channel team).",
    )
    wait_on_vendor = ServiceAction(
        services.ticket_wait_on_vendor,
        body=NoteSerializer,
        url_path="wait-on-vendor",
        doc="Escalated inside the vendor; the clock keeps running (channel team).",
    )
    resolve = ServiceAction(services.ticket_resolve, body=NoteSerializer, doc="Solved (either side); the clock stops.")
    close = ServiceAction(services.ticket_close, body=NoteSerializer, doc="Confirm a resolution (either side).")
    reopen = ServiceAction(
        services.ticket_reopen,
        body=NoteSerializer,
        doc="A resolution that did not hold: back in progress, counted; `note` says why (either side).",
    )
