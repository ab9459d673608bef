"""Tokens (list, revoke) and webhooks (endpoints, deliveries, redelivery) over the API.

Tokens are created in the web app only: a token never mints another token.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import SCOPE_VISIBLE, ReadOnlyScopedViewSet, ScopedModelViewSet, ScopedViewSet
from integrations.filtersets import WebhookDeliveryFilterSet
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from integrations.tokens import api_token_revoke
from integrations.webhooks import (
    require_endpoint_change,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_redeliver,
)
from partners.models import Partner

from .permissions import IsManagerOrPartnerAdmin
from .serializers import (
    ApiTokenSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ScopedViewSet):
    """Your own API tokens. DELETE revokes one (it stops working at once)."""

    scope = SCOPE_VISIBLE
    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    ordering_fields = ["id"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    def perform_destroy(self, instance: ApiToken) -> None:
        api_token_revoke(token=instance, user=self.request.user)


class WebhookEndpointViewSet(ScopedModelViewSet):
    """Webhook endpoints (channel managers and partner admins). Everyone who sees an endpoint reads it; the side
    that registered it changes it (a partner admin cannot change an endpoint the channel team registered)."""

    scope = SCOPE_VISIBLE
    queryset = WebhookEndpoint.objects.select_related("partner")
    serializer_class = WebhookEndpointSerializer
    permission_classes = [*ScopedModelViewSet.permission_classes, IsManagerOrPartnerAdmin]
    filterset_fields = ["is_active"]
    ordering_fields = ["id"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def refuse_change(self, obj: WebhookEndpoint) -> None:
        """The side that registered an endpoint changes it: say which side that is."""
        require_endpoint_change(endpoint=obj, user=self.request.user)
        super().refuse_change(obj)

    def _partner(self, partner_id) -> Partner | None:
        if partner_id is None:
            return None
        partner = Partner.objects.visible_to(self.request.user).filter(pk=partner_id).first()
        if partner is None:
            raise serializers.ValidationError({"partner": ["Unknown partner."]})
        return partner

    @extend_schema(responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request):
        """Register an endpoint; the answer holds its signing secret, shown this once."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint = webhook_endpoint_create(
            user=request.user,
            url=data["url"],
            events=data["events"],
            partner=self._partner(data.get("partner_id")),
            description=data.get("description", ""),
            is_active=data.get("is_active", True),
        )
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer) -> None:
        endpoint = serializer.instance
        data = serializer.validated_data
        webhook_endpoint_update(
            endpoint=endpoint,
            user=self.request.user,
            url=data.get("url", endpoint.url),
            events=data.get("events", endpoint.events),
            description=data.get("description", endpoint.description),
            is_active=data.get("is_active", endpoint.is_active),
        )

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        webhook_endpoint_delete(endpoint=instance, user=self.request.user)

    @extend_schema(request=None, responses={200: WebhookEndpointCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """Replace the signing secret; the new one is in the answer, shown this once."""
        endpoint = webhook_endpoint_rotate_secret(endpoint=self.get_object(), user=request.user)
        return Response(WebhookEndpointCreatedSerializer(endpoint).data)


class WebhookDeliveryViewSet(ReadOnlyScopedViewSet):
    """The delivery log of the endpoints you can see: status, response code, attempts, last error."""

    scope = SCOPE_VISIBLE
    queryset = WebhookDelivery.objects.all()
    serializer_class = WebhookDeliverySerializer
    permission_classes = [*ReadOnlyScopedViewSet.permission_classes, IsManagerOrPartnerAdmin]
    filterset_class = WebhookDeliveryFilterSet
    ordering_fields = ["id"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    def refuse_change(self, obj: WebhookDelivery) -> None:
        """Redelivering is changing the endpoint's traffic: the side that registered the endpoint may."""
        require_endpoint_change(endpoint=obj.endpoint, user=self.request.user)
        super().refuse_change(obj)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        """Send the same event again (same body and event id) as a new delivery."""
        copy = webhook_redeliver(delivery=self.get_object(), user=request.user)
        return Response(self.get_serializer(copy).data, status=status.HTTP_202_ACCEPTED)
