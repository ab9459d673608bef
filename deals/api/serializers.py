"""Deal registration payloads: what the API shows, and what it accepts to register and decide deals.

A partner sees that its registration conflicts (`has_conflict`, `conflict_count`) but never with whom:
`conflicts` (the other registrations, their partners and the reason) is filled for channel managers only.
A manager sees the other registration of a conflict only if the visibility rule lets them see it; one
outside their regions shows its reference and the reason only (`in_scope` false), as the conflict page does.
"""

from __future__ import annotations

import functools
from datetime import UTC
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.api.serializers import ProductReferenceMixin
from core.api.serializers import MAX_ID, MAX_INT, StrictFieldsMixin, StrictSerializer, is_manager
from customers.api.serializers import CustomerInputSerializer
from deals.models import DealConflict, DealEvent, DealLine, DealRegistration, DealStatus
from deals.validation import MAX_LINES

CENT = Decimal("0.01")


def _money(value) -> str:
    return f"{value.quantize(CENT):f}"


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


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


def _username(obj, field: str) -> str | None:
    return getattr(obj, field).username if getattr(obj, f"{field}_id") else None


LINE_VALUES = ("id", "deal_id", "product_id", "quantity", "unit_price", "product__sku", "product__name")
CONFLICT_VALUES = (
    "from_deal_id",
    "to_deal_id",
    "reason",
    "detected_at",
    "to_deal__reference",
    "to_deal__status",
    "to_deal__partner_id",
    "to_deal__partner__name",
    "to_deal_in_scope",
)


def line_representation(row: dict) -> dict:
    return {
        "id": row["id"],
        "product": row["product_id"],
        "sku": row["product__sku"],
        "product_name": row["product__name"],
        "quantity": row["quantity"],
        "unit_price": _money(row["unit_price"]),
        "total": _money(row["quantity"] * row["unit_price"]),
    }


def conflict_representation(row: dict) -> dict:
    """The other side of a conflict; one the reader may not see keeps only its reference and the reason."""
    shown = row["to_deal_in_scope"]
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


# A deal as the list reads it: values() of these, the related names annotated by DealViewSet.queryset.
ROW_VALUES = (
    "id",
    "reference",
    "partner_id",
    "customer_id",
    "deal_type",
    "status",
    "amount",
    "currency",
    "expected_close_date",
    "notes",
    "source",
    "submitted_at",
    "decided_at",
    "rejection_reason",
    "protection_expires_at",
    "extension_requested_at",
    "extended_at",
    "closed_at",
    "loss_reason",
    "has_conflict",
    "created_at",
    "updated_at",
    "api_partner_name",
    "api_customer_name",
    "api_customer_domain",
    "api_customer_country",
    "api_submitted_by",
    "api_decided_by",
)


def deal_row(deal: DealRegistration) -> dict:
    """A model instance as the row the list reads: related names from its annotations, else its relations."""
    row = {name: getattr(deal, name) for name in ROW_VALUES if not name.startswith("api_")}
    if hasattr(deal, "api_partner_name"):
        row.update({name: getattr(deal, name) for name in ROW_VALUES if name.startswith("api_")})
    else:
        row.update(
            api_partner_name=deal.partner.name,
            api_customer_name=deal.customer.name,
            api_customer_domain=deal.customer.domain,
            api_customer_country=deal.customer.country.code,
            api_submitted_by=_username(deal, "submitted_by"),
            api_decided_by=_username(deal, "decided_by"),
        )
    return row


def attach_page_related(rows: list[dict], *, user: Any) -> list[dict]:
    """Lines and conflicts of a page of deal rows, one query each, as ready-made dicts on each row.

    Does what prefetch_related does without building a model instance per row or cloning a
    queryset per deal, which on a page of 100 cost more than the queries. Conflicts are read for
    everyone (their count is shown; only flagged deals have any) but only managers see who with, and
    only the other registrations `user` may see (the visibility rule, checked in the same query).
    """
    ids = [row["id"] for row in rows]
    lines: dict[int, list] = {pk: [] for pk in ids}
    for line in DealLine.objects.filter(deal_id__in=ids).order_by("pk").values(*LINE_VALUES):
        lines[line["deal_id"]].append(line_representation(line))
    conflicts: dict[int, list] = {pk: [] for pk in ids}
    flagged = [row["id"] for row in rows if row["has_conflict"]]  # links exist only for flagged deals
    if flagged:
        in_scope = Exists(DealRegistration.objects.visible_to(user).filter(pk=OuterRef("to_deal_id")))
        links = DealConflict.objects.filter(from_deal_id__in=flagged).annotate(to_deal_in_scope=in_scope)
        for link in links.order_by("pk").values(*CONFLICT_VALUES):
            conflicts[link["from_deal_id"]].append(conflict_representation(link))
    for row in rows:
        row["api_lines"] = lines[row["id"]]
        row["api_conflicts"] = conflicts[row["id"]]
    return rows


def reader(context: dict) -> Any:
    return getattr(context.get("request"), "user", None)


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
    country = serializers.CharField(source="country.code", read_only=True)


class DealConflictSerializer(serializers.Serializer):
    """The other side of a conflict (managers only). Outside the manager's regions: reference and reason only."""

    deal = serializers.IntegerField(source="to_deal_id", allow_null=True)
    reference = serializers.CharField(source="to_deal.reference")
    partner = serializers.IntegerField(source="to_deal.partner_id", allow_null=True)
    partner_name = serializers.CharField(source="to_deal.partner.name", allow_null=True)
    status = serializers.CharField(source="to_deal.status", allow_null=True)
    reason = serializers.CharField()
    detected_at = serializers.DateTimeField()
    in_scope = serializers.BooleanField(help_text="Whether you may see the other registration and its partner.")

    def to_representation(self, link: DealConflict) -> dict:
        link.in_scope = DealRegistration.objects.visible_to(reader(self.context)).filter(pk=link.to_deal_id).exists()
        data = super().to_representation(link)
        if not link.in_scope:
            data.update(deal=None, partner=None, partner_name=None, status=None)
        return data


class DealSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    customer = DealCustomerSerializer(read_only=True)
    lines = DealLineSerializer(many=True, read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)
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
        return DealConflictSerializer(obj.conflict_links.all(), many=True, context=self.context).data

    def to_representation(self, obj: DealRegistration | dict) -> dict:
        """The declared fields, written out by hand: a page of 100 deals is the API's hottest path and
        DRF's per-field machinery cost several times the queries. Takes the list's rows (`ROW_VALUES` with
        `attach_page_related`) or a model instance. A test checks this agrees with `generic_representation`."""
        row = obj if isinstance(obj, dict) else deal_row(obj)
        if "api_lines" not in row:
            row = attach_page_related([row], user=reader(self.context))[0]
        manager = is_manager(self.context)
        tz = timezone.get_current_timezone()
        conflicts = row["api_conflicts"]
        return {
            "id": row["id"],
            "reference": row["reference"],
            "partner": row["partner_id"],
            "partner_name": row["api_partner_name"],
            "customer": {
                "id": row["customer_id"],
                "name": row["api_customer_name"],
                "domain": row["api_customer_domain"],
                "country": row["api_customer_country"] or "",
            },
            "deal_type": row["deal_type"],
            "status": row["status"],
            "amount": _money(row["amount"]),
            "currency": row["currency"],
            "expected_close_date": _date(row["expected_close_date"]),
            "notes": row["notes"],
            "source": row["source"],
            "lines": row["api_lines"],
            "submitted_by": row["api_submitted_by"],
            "submitted_at": _datetime(row["submitted_at"], tz),
            "decided_by": row["api_decided_by"],
            "decided_at": _datetime(row["decided_at"], tz),
            "rejection_reason": row["rejection_reason"],
            "protection_expires_at": _datetime(row["protection_expires_at"], tz),
            "extension_requested_at": _datetime(row["extension_requested_at"], tz),
            "extended_at": _datetime(row["extended_at"], tz),
            "closed_at": _datetime(row["closed_at"], tz),
            "loss_reason": row["loss_reason"],
            "has_conflict": row["has_conflict"],
            "conflict_count": len(conflicts),
            "conflicts": conflicts if manager else None,
            "created_at": _datetime(row["created_at"], tz),
            "updated_at": _datetime(row["updated_at"], tz),
        }

    def generic_representation(self, obj: DealRegistration) -> dict:
        return super().to_representation(obj)


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
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


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
    won = serializers.BooleanField(help_text="true for won, false for lost.")
    loss_reason = serializers.CharField(allow_blank=True, default="", max_length=2000)
