from django.contrib import admin

from .models import InventoryReport


@admin.register(InventoryReport)
class InventoryReportAdmin(admin.ModelAdmin):
    list_display = ("partner", "product", "date", "on_hand", "units_sold", "on_order", "source")
    list_filter = ("source", "date", "product__product_line")
    search_fields = ("partner__name", "product__sku", "product__name")
    list_select_related = ("partner", "product")
    raw_id_fields = ("partner", "product", "reported_by")
    date_hierarchy = "date"
    show_full_result_count = False
