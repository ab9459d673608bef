"""Integration plumbing: personal API tokens, webhook endpoints and their deliveries, idempotency records."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.visibility import partner_scope_q


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ApiTokenQuerySet:
        """A token is personal: only its owner sees it (not even a manager sees another user's tokens)."""
        if not _signed_in(user):
            return self.none()
        return self.filter(user=user)

    def editable_by(self, user: Any) -> ApiTokenQuerySet:
        """A token is personal: its user, and nobody else, may revoke it."""
        return self.visible_to(user)

    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest of the secret is stored; the token is shown once.

    The full token reads `prm_<prefix>_<secret>`: the public prefix finds the
    row, the digest of the whole string proves possession. A token acts with its
    user's role and visibility; a read-only token may only use safe methods.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'ERP nightly sync'.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    read_only = models.BooleanField(default=False, help_text="Read-only tokens may only read (GET, HEAD, OPTIONS).")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} (prm_{self.prefix}…)"

    @property
    def display_prefix(self) -> str:
        return f"prm_{self.prefix}…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired


# The owner of an endpoint is on the vendor's side: a channel manager, or a superuser who belongs to no partner.
CHANNEL_TEAM_OWNER = Q(owner__role="channel_manager") | Q(owner__is_superuser=True, owner__partner__isnull=True)


class WebhookEndpointQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> WebhookEndpointQuerySet:
        """Partner endpoints follow the partner visibility rule (without a distributor's read-only view);
        ecosystem endpoints (no partner) are seen by their owner and by managers with no region limit."""
        if not _signed_in(user):
            return self.none()
        scope = partner_scope_q(user, "partner", include_supplied=False)
        if user.is_superuser or user.is_channel_manager:
            if user.is_superuser or not user.region_ids:
                return self.all()
            return self.filter(scope | Q(partner__isnull=True, owner=user))
        return self.filter(scope, partner__isnull=False)

    def editable_by(self, user: Any) -> WebhookEndpointQuerySet:
        """Endpoints the user may change, pause, rotate, delete or redeliver: the side that registered one
        manages it. A channel-team endpoint (registered by a manager or a superuser) is managed by the
        channel team members who see it; a partner's endpoint (registered by one of its admins) by that
        partner's admins. Reading follows `visible_to`: a partner admin sees where its partner's events go."""
        if not _signed_in(user):
            return self.none()
        visible = self.visible_to(user)
        if user.is_partner_member:
            return visible.filter(owner__partner_id=user.partner_id) if user.is_partner_admin else self.none()
        if user.is_superuser or user.is_channel_manager:
            return visible.filter(CHANNEL_TEAM_OWNER)
        return self.none()


class WebhookEndpoint(models.Model):
    """A URL that receives signed event deliveries.

    A partner-scoped endpoint receives only its partner's events; an ecosystem
    endpoint (registered by a channel manager, no partner) receives the events
    of every partner its owner may see.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    secret = models.CharField(max_length=80, editable=False, help_text="Signs each delivery (HMAC-SHA256).")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partner", "is_active"])]

    def __str__(self) -> str:
        return self.url

    @property
    def scope_label(self) -> str:
        return self.partner.name if self.partner_id else "All partners you can see"


class WebhookDeliveryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> WebhookDeliveryQuerySet:
        return self.filter(endpoint__in=WebhookEndpoint.objects.visible_to(user).values("pk"))

    def editable_by(self, user: Any) -> WebhookDeliveryQuerySet:
        """Deliveries the user may send again: those of the endpoints it may change."""
        return self.filter(endpoint__in=WebhookEndpoint.objects.editable_by(user).values("pk"))


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint, with the outcome of the last attempt.

    `payload` is the exact body that is signed and sent; a redelivery is a new
    row with the same body (same event id) so receivers can de-duplicate.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=36)
    event_type = models.CharField(max_length=50)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    payload = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The start of the receiver's answer.")
    last_error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["endpoint", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="webhook_delivery_status_valid",
                condition=Q(status__in=["pending", "retrying", "succeeded", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed for retries of the same request.

    Keys are scoped per user. `request_hash` covers method, path, query and
    body, so the same key with a different request is refused. A row with no
    `status_code` is a request still being processed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
