from django.contrib import admin

from .models import Activation, ActivationFigure, UsageRecord


@admin.register(Activation)
class ActivationAdmin(admin.ModelAdmin):
    list_display = ["identifier", "kind", "product", "activated_on", "units", "status", "partner", "sold_on"]
    list_filter = ["kind", "status"]
    search_fields = ["identifier"]
    raw_id_fields = ["product", "batch", "partner", "sale_line"]
    date_hierarchy = "activated_on"


@admin.register(UsageRecord)
class UsageRecordAdmin(admin.ModelAdmin):
    list_display = ["activation", "month", "active_units", "usage", "usage_unit"]
    raw_id_fields = ["activation", "batch"]


@admin.register(ActivationFigure)
class ActivationFigureAdmin(admin.ModelAdmin):
    list_display = [
        "partner",
        "product_line",
        "month",
        "sold_units",
        "activated_units",
        "installed_base",
        "active_units",
    ]
    raw_id_fields = ["partner"]
    list_filter = ["product_line"]
