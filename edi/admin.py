from django.contrib import admin

from .models import EdiImport, ProductActivity, ReportingLocation


@admin.register(ReportingLocation)
class ReportingLocationAdmin(admin.ModelAdmin):
    list_display = ("qualifier", "code", "partner", "site_name", "is_active")
    list_filter = ("qualifier", "is_active")
    search_fields = ("code", "partner__name", "site_name")
    list_select_related = ("partner",)
    raw_id_fields = ("partner",)


@admin.register(EdiImport)
class EdiImportAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "source", "partner", "sender_id", "control_number", "kinds", "status")
    list_filter = ("status", "source", "version")
    search_fields = ("sender_id", "control_number", "filename", "partner__name")
    list_select_related = ("partner",)
    raw_id_fields = ("partner", "user", "token", "duplicate_of")
    exclude = ("content",)
    readonly_fields = [f.name for f in EdiImport._meta.fields if f.name not in ("content", "id")]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")


@admin.register(ProductActivity)
class ProductActivityAdmin(admin.ModelAdmin):
    list_display = ("partner", "site_name", "product", "period_start", "period_end", "on_hand", "balance_difference")
    list_filter = ("period_end",)
    search_fields = ("partner__name", "product__sku", "site_name")
    list_select_related = ("partner", "product")
    raw_id_fields = ("partner", "product", "edi_import")
    show_full_result_count = False
