"""Warranty claims over the API: the same services as the pages (warranty/services.py), the same rules and errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from catalog.api.serializers import ProductResolver
from core.api.actions import ServiceAction, ServiceActionMixin
from core.api.bulk import BulkResponseSerializer, bulk_answer, bulk_request, run_each
from core.api.viewsets import SCOPE_PUBLIC, SCOPE_VISIBLE, ReadOnlyScopedViewSet
from customers.api.serializers import customer_errors_nested, visible_customer_ids
from warranty import services
from warranty.filtersets import WarrantyClaimFilterSet
from warranty.models import ClaimEvent, FailureCode, WarrantyClaim

from .serializers import (
    ClaimApproveSerializer,
    ClaimBulkSerializer,
    ClaimCreateSerializer,
    ClaimEventSerializer,
    ClaimRejectSerializer,
    ClaimSerializer,
    FailureCodeSerializer,
)

MODE_PARAMETER = OpenApiParameter(
    "mode", str, enum=["all_or_nothing", "partial"], description="all_or_nothing (default) or partial."
)


def _context(request, items: list) -> dict:
    return {
        "request": request,
        "products": ProductResolver.for_lines(items, key=None),
        "failure_codes": {code.code.upper(): code for code in FailureCode.objects.all()},
        "visible_customer_ids": visible_customer_ids(user=request.user, items=items),
    }


def _file(user, data: dict) -> WarrantyClaim:
    try:
        return _create(user, data)
    except DjangoValidationError as exc:
        raise customer_errors_nested(exc) from exc


def _create(user, data: dict) -> WarrantyClaim:
    return services.claim_create(
        partner=user.partner,
        user=user,
        product=data["product"],
        serial_number=data["serial_number"],
        purchase_date=data["purchase_date"],
        failure_date=data["failure_date"],
        failure_code=data["failure_code"],
        parts_amount=data["parts_amount"],
        labour_amount=data["labour_amount"],
        customer=data.get("customer", data.get("customer_id")),
        description=data["description"],
    )


class FailureCodeViewSet(ReadOnlyScopedViewSet):
    """Failure codes a claim may use (reference data)."""

    scope = SCOPE_PUBLIC
    queryset = FailureCode.objects.all()
    serializer_class = FailureCodeSerializer
    filterset_fields = ["is_active"]
    ordering_fields = ["id", "code"]
    ordering = ("code",)
    lookup_value_regex = r"\d+"


class ClaimViewSet(ServiceActionMixin, ReadOnlyScopedViewSet):
    """Warranty claims you can see: your partner's, or your regions' / all for channel managers."""

    scope = SCOPE_VISIBLE
    service_object = "claim"
    queryset = WarrantyClaim.objects.select_related("product", "failure_code")
    serializer_class = ClaimSerializer
    filterset_class = WarrantyClaimFilterSet
    ordering_fields = ["id", "submitted_at", "claimed_amount"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    def _require_partner_member(self) -> None:
        if not self.request.user.is_partner_member:
            raise PermissionDenied("Only partner users file warranty claims (channel managers decide them).")

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimSerializer})
    def create(self, request):
        """File a claim for your partner; out-of-warranty and duplicate flags are set at once."""
        self._require_partner_member()
        serializer = ClaimCreateSerializer(data=request.data, context=_context(request, [request.data]))
        serializer.is_valid(raise_exception=True)
        return self.show(_file(request.user, serializer.validated_data), status.HTTP_201_CREATED)

    @extend_schema(request=ClaimBulkSerializer, responses={200: BulkResponseSerializer}, parameters=[MODE_PARAMETER])
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """File up to PRM_API_BULK_MAX_ITEMS claims; results per item."""
        items, mode = bulk_request(request)
        self._require_partner_member()
        context = _context(request, items)

        def validate(item):
            serializer = ClaimCreateSerializer(data=item, context=context)
            serializer.is_valid(raise_exception=True)
            return serializer.validated_data

        results = run_each(items, mode, validate=validate, save=lambda data: _file(request.user, data))
        return bulk_answer(mode, results)

    @extend_schema(responses={200: ClaimEventSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        """The claim's history, oldest first."""
        claim = self.get_object()
        events = ClaimEvent.objects.filter(claim=claim).select_related("actor").order_by("at", "pk")
        return Response(ClaimEventSerializer(events, many=True).data)

    review = ServiceAction(services.claim_start_review, doc="Take a submitted claim into review (channel manager).")
    approve = ServiceAction(
        services.claim_approve,
        body=ClaimApproveSerializer,
        doc="Approve in full, or in part with `amount` (channel manager).",
    )
    reject = ServiceAction(
        services.claim_reject,
        body=ClaimRejectSerializer,
        doc="Reject with a reason the partner reads (channel manager).",
    )
    pay = ServiceAction(services.claim_pay, doc="Record that the approved amount was paid (channel manager).")
