from django.contrib import admin
from django.db import models

from .models import Certification, Partner, Program, Region, Tier


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "deal_protection_days",
        "extension_days",
        "stock_report_frequency",
        "stock_report_due_days",
        "sellout_report_frequency",
        "sellout_report_due_days",
        "is_default",
    )
    list_filter = ("is_default", "stock_report_frequency", "sellout_report_frequency")
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "is_default", "deal_protection_days", "extension_days")}),
        (
            "Reporting calendar",
            {
                "description": "Which reports partners owe and when; the data-quality score measures them "
                "against it (a change takes effect at the next recompute).",
                "fields": (
                    ("stock_report_frequency", "stock_report_due_days"),
                    ("sellout_report_frequency", "sellout_report_due_days"),
                    "consistency_tolerance_pct",
                ),
            },
        ),
    )


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("name", "rank", "min_trailing_revenue", "required_certifications")
    search_fields = ("name",)
    ordering = ("rank",)


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0
    autocomplete_fields = ("product_line",)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # an address typed without a scheme
    list_display = ("name", "partner_type", "tier", "status", "region", "country", "parent", "account_manager")
    list_filter = ("status", "partner_type", "tier", "region", "program")
    search_fields = ("name", "website", "contact_email")
    list_select_related = ("tier", "region", "parent", "account_manager")
    autocomplete_fields = ("parent", "account_manager")
    date_hierarchy = "joined_on"
    inlines = [CertificationInline]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("name", "partner", "product_line", "earned_on", "expires_on")
    list_filter = ("product_line", "expires_on")
    search_fields = ("name", "partner__name", "holder_name")
    list_select_related = ("partner", "product_line")
    autocomplete_fields = ("partner", "product_line")
