from django.contrib import admin

from .models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "date", "granularity", "rate", "source", "updated_at"]
    list_filter = ["currency", "granularity", "source"]
    date_hierarchy = "date"
    readonly_fields = ["created_at", "updated_at", "updated_by"]

    def save_model(self, request, obj, form, change) -> None:
        obj.source = ExchangeRate.Source.ADMIN
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
