from django.contrib import admin
from django.db import models

from .models import ApiToken, IdempotencyRecord, WebhookDelivery, WebhookEndpoint


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "read_only", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("read_only",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("prefix", "token_hash", "created_at", "last_used_at")
    list_select_related = ("user",)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # an address typed without a scheme
    list_display = ("url", "owner", "partner", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "owner__username", "partner__name")
    list_select_related = ("owner", "partner")
    raw_id_fields = ("owner", "partner")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_type", "endpoint", "status", "attempts", "response_code", "created_at")
    list_filter = ("status", "event_type")
    list_select_related = ("endpoint",)
    raw_id_fields = ("endpoint", "redelivery_of")
    readonly_fields = ("uuid", "payload", "created_at")


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("key", "user", "method", "path", "status_code", "created_at")
    raw_id_fields = ("user",)
    readonly_fields = ("request_hash", "response_body")
