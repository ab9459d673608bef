from django.contrib import admin

from .models import ClaimEvent, FailureCode, WarrantyClaim


@admin.register(FailureCode)
class FailureCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "description", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "description")


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    readonly_fields = ("at", "actor", "from_status", "to_status", "note")
    can_delete = False


@admin.register(WarrantyClaim)
class WarrantyClaimAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "partner",
        "product",
        "serial_number",
        "status",
        "claimed_amount",
        "approved_amount",
        "out_of_warranty",
        "is_duplicate",
        "submitted_at",
    )
    list_filter = ("status", "out_of_warranty", "is_duplicate", "failure_code", "product__product_line")
    search_fields = ("reference", "serial_number", "partner__name", "product__sku")
    list_select_related = ("partner", "product")
    raw_id_fields = ("partner", "product", "customer", "submitted_by", "decided_by", "duplicate_of")
    date_hierarchy = "submitted_at"
    inlines = [ClaimEventInline]
    show_full_result_count = False
