from django.contrib import admin

from .models import ImportJob, InventoryReport


@admin.register(InventoryReport)
class InventoryReportAdmin(admin.ModelAdmin):
    list_display = ("partner", "product", "date", "on_hand", "units_sold", "on_order", "source")
    list_filter = ("source", "date", "product__product_line")
    search_fields = ("partner__name", "product__sku", "product__name")
    list_select_related = ("partner", "product")
    raw_id_fields = ("partner", "product", "reported_by")
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("filename", "partner", "user", "status", "total_rows", "valid_rows", "error_count", "created_at")
    list_filter = ("status",)
    search_fields = ("filename", "partner__name")
    list_select_related = ("partner", "user")
    raw_id_fields = ("partner", "user")
    exclude = ("content",)
    readonly_fields = (
        "status",
        "total_rows",
        "processed_rows",
        "valid_rows",
        "error_count",
        "errors",
        "file_error",
        "created_count",
        "updated_count",
        "message",
        "validated_at",
        "import_started_at",
        "finished_at",
        "size",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")
