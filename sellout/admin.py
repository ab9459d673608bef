from django.contrib import admin

from .models import EndCustomerCandidate, SellOutCorrection, SellOutLine, SellOutSerial


class SerialInline(admin.TabularInline):
    model = SellOutSerial
    extra = 0
    raw_id_fields = ["product"]


@admin.register(SellOutLine)
class SellOutLineAdmin(admin.ModelAdmin):
    list_display = [
        "invoice_number",
        "invoice_line",
        "reporter",
        "date",
        "transaction_type",
        "product",
        "quantity",
        "unit_price",
        "currency",
        "customer_match",
    ]
    list_filter = ["transaction_type", "source", "customer_match", "currency"]
    search_fields = ["invoice_number", "reporter__name", "end_customer_name"]
    raw_id_fields = ["reporter", "product", "sold_to_partner", "customer", "customer_candidate", "batch", "reported_by"]
    date_hierarchy = "date"
    inlines = [SerialInline]


@admin.register(SellOutCorrection)
class SellOutCorrectionAdmin(admin.ModelAdmin):
    list_display = ["line", "revision", "batch", "changed_by", "changed_at"]
    raw_id_fields = ["line", "batch", "changed_by"]


@admin.register(EndCustomerCandidate)
class EndCustomerCandidateAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "country", "status", "customer"]
    list_filter = ["status"]
    search_fields = ["name", "domain"]
    raw_id_fields = ["customer", "resolved_by"]
