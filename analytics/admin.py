"""Admin: the analytics tables read-only, the health weights editable, and a button to recompute."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from core.exceptions import ActionNotPermittedError

from . import services
from .models import (
    DataQualityScore,
    EcosystemHealth,
    HealthWeights,
    JobRun,
    KpiSnapshot,
    PartnerHealthScore,
    ProductFeedbackMonth,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the workers: viewable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("dimension", "key", "partner", "granularity", "period_start", "deals_registered", "won_revenue")
    list_filter = ("dimension", "granularity", "is_complete")
    search_fields = ("key", "partner__name")
    list_select_related = ("partner",)
    date_hierarchy = "period_start"
    show_full_result_count = False


@admin.register(PartnerHealthScore)
class PartnerHealthScoreAdmin(ReadOnlyAdmin):
    list_display = ("partner", "as_of", "is_current", "score", "band", "tier", "peer_count")
    list_filter = ("is_current", "band", "tier")
    search_fields = ("partner__name",)
    list_select_related = ("partner", "tier")
    readonly_fields = ("explanations",)
    show_full_result_count = False

    @admin.display(description="Components")
    def explanations(self, obj: PartnerHealthScore) -> str:
        return "\n".join(c["explanation"] for c in obj.components)


@admin.register(DataQualityScore)
class DataQualityScoreAdmin(ReadOnlyAdmin):
    list_display = (
        "partner",
        "month",
        "is_complete",
        "score",
        "timeliness",
        "completeness",
        "consistency",
        "duplicates",
    )
    list_filter = ("is_complete", "month")
    search_fields = ("partner__name",)
    list_select_related = ("partner",)
    date_hierarchy = "month"
    show_full_result_count = False


@admin.register(EcosystemHealth)
class EcosystemHealthAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "is_current", "score", "at_risk_share", "top10_revenue_share", "herfindahl_index")
    list_filter = ("is_current",)


@admin.register(HealthWeights)
class HealthWeightsAdmin(admin.ModelAdmin):
    """Saving the weights rescores every health score (after the change is committed)."""

    list_display = ("__str__", "updated_at", "updated_by")
    readonly_fields = ("updated_by", "created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: HealthWeights, form, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        services.health_weights_changed()
        messages.info(request, "Saved. Every health score is being recomputed with the new weights.")


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "status", "chunks_done", "chunks_total", "created_at", "finished_at")
    list_filter = ("kind", "status")
    change_list_template = "admin/analytics/jobrun/change_list.html"

    def get_urls(self):
        urls = [path("recompute/", self.admin_site.admin_view(self.recompute_view), name="analytics_jobrun_recompute")]
        return urls + super().get_urls()

    def recompute_view(self, request: HttpRequest):
        """POST: start a full recompute now (the nightly job, on demand)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            run = services.recompute_start(user=request.user)
        except ActionNotPermittedError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Full recompute #{run.pk} queued; its progress shows below.")
        return HttpResponseRedirect(reverse("admin:analytics_jobrun_changelist"))


@admin.register(ProductFeedbackMonth)
class ProductFeedbackMonthAdmin(ReadOnlyAdmin):
    """The stored product feedback (written by the analytics runs; the pages are /manage/products/)."""

    list_display = (
        "product",
        "region",
        "month",
        "units_sold",
        "claims_submitted",
        "expected_claims",
        "claim_p_value",
        "claim_flag",
        "deals_lost",
    )
    list_filter = ("claim_flag", "month", "product_line")
    list_select_related = ("product", "region")
    search_fields = ("product__sku", "product__name")
    show_full_result_count = False
