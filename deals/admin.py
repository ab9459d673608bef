from django.contrib import admin

from .models import DealConflict, DealEvent, DealLine, DealRegistration, LossReason


class DealLineInline(admin.TabularInline):
    model = DealLine
    extra = 0
    autocomplete_fields = ("product",)


class DealEventInline(admin.TabularInline):
    model = DealEvent
    extra = 0
    readonly_fields = ("at", "actor", "kind", "from_status", "to_status", "note")
    can_delete = False


class DealConflictInline(admin.TabularInline):
    model = DealConflict
    fk_name = "from_deal"
    extra = 0
    readonly_fields = ("to_deal", "detected_at", "reason")
    can_delete = False


@admin.register(DealRegistration)
class DealRegistrationAdmin(admin.ModelAdmin):
    list_display = ("reference", "partner", "customer", "status", "amount", "currency", "submitted_at", "has_conflict")
    list_filter = ("status", "has_conflict", "deal_type", "source", "partner__tier", "partner__region")
    search_fields = ("reference", "partner__name", "customer__name", "customer__domain")
    list_select_related = ("partner", "customer")
    autocomplete_fields = ("partner", "customer", "submitted_by", "decided_by")
    date_hierarchy = "submitted_at"
    inlines = [DealLineInline, DealConflictInline, DealEventInline]
    show_full_result_count = False
    # Lifecycle fields change only through the services (portal, API, jobs), which also write the history.
    readonly_fields = (
        "reference",
        "status",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "protection_expires_at",
        "extension_requested_at",
        "extended_at",
        "expiry_warning_sent_at",
        "closed_at",
        "loss_reason",
        "loss_note",
        "has_conflict",
    )

    def has_add_permission(self, request) -> bool:
        """Registrations are created through the portal, the API or an import, so they get a reference and history."""
        return False


@admin.register(DealEvent)
class DealEventAdmin(admin.ModelAdmin):
    list_display = ("deal", "at", "actor", "kind", "from_status", "to_status")
    list_filter = ("kind", "to_status")
    search_fields = ("deal__reference", "note")
    list_select_related = ("deal", "actor")
    raw_id_fields = ("deal", "actor")
    show_full_result_count = False


@admin.register(LossReason)
class LossReasonAdmin(admin.ModelAdmin):
    """The list partners choose from when a deal is lost. Deactivate a reason rather than delete it: deals keep it."""

    list_display = ("name", "code", "position", "is_active", "needs_note")
    list_editable = ("position", "is_active", "needs_note")
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.deals.exists()
