from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import StrictFieldsMixin
from core.events import EVENT_TYPES
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from integrations.webhooks import may_read_reply_bodies


class ApiTokenSerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(source="display_prefix", read_only=True)
    is_usable = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "read_only",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_usable",
        ]
        read_only_fields = fields


class WebhookEndpointSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """An endpoint; `secret` appears only in the answer to its creation (and to rotate-secret)."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), allow_empty=False)
    partner = serializers.IntegerField(
        source="partner_id",
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Partner whose events to receive. Partner admins: always their own. Managers: a partner, or "
        "null for every partner they can see.",
    )
    url = serializers.URLField(max_length=500)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "partner", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown only now: keep it to verify signatures.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One delivery; `response_body` is null unless the caller is a channel manager or superuser."""

    endpoint = serializers.IntegerField(source="endpoint_id", read_only=True)
    response_body = serializers.SerializerMethodField(
        help_text="The start of the receiver's reply: channel managers and superusers only, null for partners."
    )
    partner = serializers.IntegerField(source="partner_id", read_only=True, allow_null=True)
    redelivery_of = serializers.IntegerField(source="redelivery_of_id", read_only=True, allow_null=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "uuid",
            "endpoint",
            "event_id",
            "event_type",
            "partner",
            "status",
            "attempts",
            "response_code",
            "response_body",
            "last_error",
            "duration_ms",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "redelivery_of",
            "payload",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_response_body(self, delivery: WebhookDelivery) -> str | None:
        request = self.context.get("request")
        return delivery.response_body if request is not None and may_read_reply_bodies(request.user) else None
