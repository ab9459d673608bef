"""Deal registration payloads: what the API shows, and what it accepts to register and decide deals.

`DealSerializer` declares what a deal looks like; a page of the list is written by deals/api/fast.py
from the same declaration.

A partner sees that its registration conflicts (`has_conflict`, `conflict_count`) but never with whom:
`conflicts` (the other registrations, their partners and the reason) is filled for channel managers only.
A manager sees the other registration of a conflict only if the visibility rule lets them see it; one
outside their regions shows its reference and the reason only (`in_scope` false), as the conflict page does.
"""

from __future__ import annotations

import functools
from datetime import UTC

from django.db.models import Exists, OuterRef
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.api.serializers import ProductReferenceMixin
from core.api.serializers import MAX_ID, MAX_INT, StrictFieldsMixin, StrictSerializer, is_manager
from customers.api.serializers import CustomerInputSerializer
from deals.models import DealConflict, DealEvent, DealLine, DealRegistration, DealStatus, LossReason
from deals.validation import MAX_LINES


@functools.lru_cache(maxsize=32)
def _is_utc(tz) -> bool:
    return str(tz) in ("UTC", "Etc/UTC")


def _datetime(value, tz=None) -> str | None:
    """As DRF writes it: ISO 8601 in the current time zone, UTC as `Z`.

    A time the database handed back in UTC, shown in UTC (the default), needs no conversion: a page of
    100 deals has 800 of them."""
    if value is None:
        return None
    tz = tz or timezone.get_current_timezone()
    if value.tzinfo is UTC and _is_utc(tz):
        return value.isoformat()[:-6] + "Z"
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


CONFLICT_VALUES = (
    "from_deal_id",
    "to_deal_id",
    "reason",
    "detected_at",
    "to_deal__reference",
    "to_deal__status",
    "to_deal__partner_id",
    "to_deal__partner__name",
)


def conflict_representation(row: dict) -> dict:
    """The other side of a conflict (a row of `conflict_rows`). One the reader may not see (a partner outside
    the manager's regions) keeps only that it exists, its reference, the reason and when: as the conflict page."""
    shown = row["to_deal_visible"]
    return {
        "deal": row["to_deal_id"] if shown else None,
        "reference": row["to_deal__reference"],
        "partner": row["to_deal__partner_id"] if shown else None,
        "partner_name": row["to_deal__partner__name"] if shown else None,
        "status": row["to_deal__status"] if shown else None,
        "reason": row["reason"],
        "detected_at": _datetime(row["detected_at"]),
        "in_scope": shown,
    }


def conflict_rows(deal_ids: list[int], *, user) -> dict[int, list[dict]]:
    """The conflict links of these registrations as plain rows (one query), by registration id, each
    saying whether `user` may see the other registration (`to_deal_visible`, by the visibility rule)."""
    rows: dict[int, list[dict]] = {}
    if deal_ids:
        visible = DealRegistration.objects.visible_to(user).filter(pk=OuterRef("to_deal_id"))
        links = (
            DealConflict.objects.filter(from_deal_id__in=deal_ids)
            .annotate(to_deal_visible=Exists(visible))
            .order_by("pk")
            .values(*CONFLICT_VALUES, "to_deal_visible")
        )
        for link in links:
            rows.setdefault(link["from_deal_id"], []).append(link)
    return rows


def conflicts_shown(rows: list[dict], context: dict) -> list[dict] | None:
    """Who a registration conflicts with, as the requesting user may learn it: null for partner users;
    for a manager, `conflict_representation` of each link."""
    if not is_manager(context):
        return None
    return [conflict_representation(row) for row in rows]


class DealLineSerializer(serializers.ModelSerializer):
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    total = serializers.DecimalField(max_digits=24, decimal_places=2, read_only=True)

    class Meta:
        model = DealLine
        fields = ["id", "product", "sku", "product_name", "quantity", "unit_price", "total"]


class DealCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    domain = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)


class DealConflictSerializer(serializers.Serializer):
    """The other side of a conflict (managers only; null `deal`, `partner`, `partner_name` and `status` when
    the other registration's partner is outside the manager's regions). Declares the shape; written by
    `conflict_representation`."""

    deal = serializers.IntegerField(source="to_deal_id", allow_null=True)
    reference = serializers.CharField(source="to_deal.reference")
    partner = serializers.IntegerField(source="to_deal.partner_id", allow_null=True)
    partner_name = serializers.CharField(source="to_deal.partner.name", allow_null=True)
    status = serializers.CharField(source="to_deal.status", allow_null=True)
    reason = serializers.CharField()
    detected_at = serializers.DateTimeField()
    # A link read as a model instance is one the reader sees (managers who see every partner read links so).
    in_scope = serializers.BooleanField(
        source="to_deal_visible", default=True, help_text="Whether you may see the other registration and its partner."
    )


class DealSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    customer = DealCustomerSerializer(read_only=True)
    lines = DealLineSerializer(many=True, read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)
    loss_reason = serializers.CharField(
        source="loss_reason.code",
        read_only=True,
        allow_null=True,
        help_text="Code of the loss reason of a lost deal; null when won, open, or lost before reasons were recorded.",
    )
    loss_reason_name = serializers.CharField(source="loss_reason.name", read_only=True, allow_null=True)
    conflict_count = serializers.SerializerMethodField()
    conflicts = serializers.SerializerMethodField()

    class Meta:
        model = DealRegistration
        fields = [
            "id",
            "reference",
            "partner",
            "partner_name",
            "customer",
            "deal_type",
            "status",
            "amount",
            "currency",
            "expected_close_date",
            "notes",
            "source",
            "lines",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "rejection_reason",
            "protection_expires_at",
            "extension_requested_at",
            "extended_at",
            "closed_at",
            "loss_reason",
            "loss_reason_name",
            "loss_note",
            "has_conflict",
            "conflict_count",
            "conflicts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_conflict_count(self, obj: DealRegistration) -> int:
        return len(obj.conflict_links.all())

    @extend_schema_field(DealConflictSerializer(many=True, allow_null=True))
    def get_conflicts(self, obj: DealRegistration):
        """Who the registration conflicts with; null for partner users, who must not learn it."""
        if not is_manager(self.context):
            return None
        rows = conflict_rows([obj.pk], user=self.context["request"].user)
        return conflicts_shown(rows.get(obj.pk, []), self.context)


class DealEventSerializer(serializers.ModelSerializer):
    """One entry of a registration's history.

    `from_status` is "" on a registration's first event (registered, or saved as a draft: there was no status
    before), and both statuses are "" on events that change none (`kind` conflict, edited,
    extension_requested, extension, expiry_warning). Declared here so the schema allows "" beside the statuses.
    """

    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    from_status = serializers.ChoiceField(choices=DealStatus.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=DealStatus.choices, allow_blank=True, read_only=True)

    class Meta:
        model = DealEvent
        fields = ["id", "at", "kind", "from_status", "to_status", "note", "actor"]
        read_only_fields = fields


class DealLineInputSerializer(StrictFieldsMixin, ProductReferenceMixin):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    unit_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Price per unit. Optional: left out, it is the product's list price (as in the portal form).",
    )


class DealCreateSerializer(StrictSerializer):
    """Register a deal for your own partner: the customer by id or by details (matched, else created)."""

    exactly_one_of = (("customer", "customer_id"),)
    customer = CustomerInputSerializer(required=False, help_text="The end customer's details (or `customer_id`).")
    customer_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    lines = DealLineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)
    expected_close_date = serializers.DateField()
    deal_type = serializers.ChoiceField(choices=DealRegistration.DealType.choices, default="new")
    currency = serializers.CharField(max_length=3, min_length=3, default="USD")
    notes = serializers.CharField(allow_blank=True, default="", max_length=5000)
    submit = serializers.BooleanField(default=True, help_text="Submit at once (default) or keep as a draft.")

    def validate(self, attrs):
        if ("customer" in attrs) == ("customer_id" in attrs):
            raise serializers.ValidationError({"customer": ["Give either `customer` (details) or `customer_id`."]})
        if "customer_id" in attrs:
            visible = self.context["visible_customer_ids"]
            if attrs["customer_id"] not in visible:
                raise serializers.ValidationError({"customer_id": ["Unknown customer."]})
        return attrs


class DealBulkSerializer(StrictSerializer):
    items = DealCreateSerializer(many=True, max_length=10_000)


class ApproveSerializer(StrictSerializer):
    note = serializers.CharField(allow_blank=True, default="", max_length=2000)


class RejectSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Shown to the partner.")


class CloseSerializer(StrictSerializer):
    """The outcome: `{"won": true}`, or `{"won": false, "loss_reason": "<code>", "loss_note": "…"}`.

    `loss_reason` is the code of an active loss reason (`GET /api/v1/loss-reasons/`); the service checks it and
    answers an unknown or missing one with the list of accepted codes."""

    won = serializers.BooleanField(help_text="true for won, false for lost.")
    loss_reason = serializers.CharField(
        allow_blank=True,
        required=False,
        allow_null=True,
        default=None,
        max_length=40,
        help_text="Required when lost: the code of a loss reason (see /api/v1/loss-reasons/).",
    )
    loss_note = serializers.CharField(
        allow_blank=True, default="", max_length=2000, help_text="The reason in your words; required for `other`."
    )


class LossReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LossReason
        fields = ["id", "code", "name", "position", "is_active", "needs_note"]
        read_only_fields = fields
