"""Sell-out pages: partners report and upload in the portal; managers browse, revert imports, review new end
customers and reconcile two-tier sales in /manage/."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from core.exceptions import ServiceError
from core.lists import EXPORT_FORMATS, FilteredListView
from core.text import counted
from core.views import ManagerRequiredMixin, PartnerMemberRequiredMixin, ServiceActionView, VisibleQuerysetMixin
from ingest.csvfile import errors_as_csv
from ingest.uploads import problem_summary
from partners.models import Partner

from .columns import (
    LINE_COLUMNS,
    LINE_SORT_FIELDS,
    RECONCILIATION_COLUMNS,
    UPLOAD_COLUMNS,
    UPLOAD_SORT_FIELDS,
)
from .csv_import import TEMPLATE_HEADER, example_csv
from .filtersets import SellOutLineFilterSet, SellOutUploadFilterSet
from .forms import SellOutUploadForm
from .imports import UPLOADS, sellout_upload_create, sellout_upload_request_import, sellout_upload_resume
from .models import SellOutCorrection, SellOutLine, SellOutUpload
from .reconciliation import Tolerance, month_start, two_tier_reconciliation
from .validation import COLUMNS

ERRORS_SHOWN = 200
BATCH_LINES_SHOWN = 100


# --- lines --------------------------------------------------------------------------------------------


class _LineListBase(VisibleQuerysetMixin, FilteredListView):
    model = SellOutLine
    filterset_class = SellOutLineFilterSet
    paginate_by = 50
    template_name = "sellout/line_list.html"
    area = "portal"
    ordering = ("-date", "reporter__name", "invoice_number", "invoice_line")
    sort_fields = LINE_SORT_FIELDS
    export_columns = LINE_COLUMNS
    export_name = "sell-out"

    def get_queryset(self):
        return super().get_queryset().select_related("reporter", "product")

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if self.area == "portal":
            filterset.form.fields.pop("region", None)
            if not self.several_partners():
                filterset.form.fields.pop("reporter", None)
        return filterset

    def several_partners(self) -> bool:
        return True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["area"] = self.area
        context["show_reporter"] = self.several_partners()
        context["detail_url"] = f"sellout:{'manage_' if self.area == 'manage' else ''}line_detail"
        return context


class SellOutLineListView(PartnerMemberRequiredMixin, _LineListBase):
    """The partner's own lines; a distributor also reads its resellers' lines (read-only)."""

    def several_partners(self) -> bool:
        if not hasattr(self, "_several"):
            self._several = Partner.objects.visible_to(self.request.user).count() > 1
        return self._several


class ManageSellOutLineListView(ManagerRequiredMixin, _LineListBase):
    area = "manage"


def _shown(value) -> str:
    """A replaced value as the history shows it: lists (serials) joined, empty as empty."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


class _LineDetailBase(VisibleQuerysetMixin, DetailView):
    """One line with its serials and its correction history (the values each correction replaced)."""

    model = SellOutLine
    template_name = "sellout/line_detail.html"
    context_object_name = "line"
    area = "portal"

    def get_queryset(self):
        corrections = SellOutCorrection.objects.select_related("batch", "changed_by").order_by("-revision")
        return (
            super()
            .get_queryset()
            .select_related("reporter", "product", "sold_to_partner", "batch", "reported_by", "customer")
            .prefetch_related("serials", Prefetch("corrections", queryset=corrections))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = self.object
        context["area"] = self.area
        context["serials"] = sorted(s.serial for s in line.serials.all())
        context["corrections"] = [
            {
                "correction": correction,
                "changes": [
                    {"field": name, "before": _shown(correction.previous.get(name))}
                    for name in correction.changed_fields
                ],
            }
            for correction in line.corrections.all()
        ]
        context["read_only"] = self.area == "portal" and line.reporter_id != self.request.user.partner_id
        return context


class SellOutLineDetailView(PartnerMemberRequiredMixin, _LineDetailBase):
    area = "portal"


class ManageSellOutLineDetailView(ManagerRequiredMixin, _LineDetailBase):
    area = "manage"


# --- the CSV upload -----------------------------------------------------------------------------------


class SellOutTemplateView(PartnerMemberRequiredMixin, View):
    """The upload template: the header row only, so an untouched file imports nothing."""

    def get(self, request):
        response = HttpResponse(TEMPLATE_HEADER + "\r\n", content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="sellout-template.csv"'
        return response


class SellOutExampleView(PartnerMemberRequiredMixin, View):
    """The template with example rows: a sale with serials, a return, a transfer."""

    def get(self, request):
        response = HttpResponse(example_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="sellout-example.csv"'
        return response


class SellOutUploadView(PartnerMemberRequiredMixin, FormView):
    template_name = "sellout/upload.html"
    form_class = SellOutUploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent_jobs"] = (
            SellOutUpload.objects.visible_to(self.request.user)
            .defer("content", "errors")
            .select_related("user", "batch")[:5]
        )
        context["columns"] = COLUMNS
        context["example"] = example_csv()
        return context

    def form_valid(self, form):
        try:
            job = sellout_upload_create(
                partner=self.request.user.partner,
                user=self.request.user,
                filename=form.cleaned_data["file"].name,
                content=form.content(),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return redirect("sellout:upload_detail", pk=job.pk)


class SellOutUploadListView(PartnerMemberRequiredMixin, VisibleQuerysetMixin, FilteredListView):
    """The partner's own files and what each contributed (lines created and corrected, reverted or not)."""

    model = SellOutUpload
    filterset_class = SellOutUploadFilterSet
    template_name = "sellout/upload_list.html"
    paginate_by = 25
    ordering = ("-created_at", "-pk")
    sort_fields = UPLOAD_SORT_FIELDS
    export_columns = UPLOAD_COLUMNS
    export_name = "sell-out uploads"

    def get_queryset(self):
        return super().get_queryset().defer("content", "errors").select_related("user", "batch")


class SellOutUploadDetailView(PartnerMemberRequiredMixin, VisibleQuerysetMixin, DetailView):
    """One upload: progress while it runs, then the problems and the import choice, then what it wrote."""

    model = SellOutUpload
    template_name = "sellout/upload_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return super().get_queryset().defer("content").select_related("user", "partner", "batch")

    def get_template_names(self):
        return ["sellout/_upload_status.html"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        context["errors_shown"] = job.errors[:ERRORS_SHOWN]
        context["errors_hidden"] = max(job.error_count - ERRORS_SHOWN, 0)
        context["problem_summary"] = problem_summary(job) if not job.valid_rows else []
        context["can_resume"] = UPLOADS.is_stalled(job) and UPLOADS.may_resume(job=job, user=self.request.user)
        context["resume_after_minutes"] = round(UPLOADS.resume_offered_after().total_seconds() / 60)
        return context


class _UploadActionBase(PartnerMemberRequiredMixin, VisibleQuerysetMixin, ServiceActionView):
    model = SellOutUpload

    def get_action_object(self):
        return self.get_object(self.get_queryset().defer("content", "errors"))

    def get_success_url(self) -> str:
        return reverse("sellout:upload_detail", args=[self.object.pk])


class SellOutUploadImportView(_UploadActionBase):
    """The user's choice: import only the valid rows of a checked file."""

    def act(self, job, data):
        job = sellout_upload_request_import(job=job, user=self.request.user)
        if job.status == SellOutUpload.Status.DONE:
            return f"Imported: {counted(job.created_count, 'new line')}, {job.updated_count:,} corrected."
        return ""


class SellOutUploadResumeView(_UploadActionBase):
    def act(self, job, data):
        job = sellout_upload_resume(job=job, user=self.request.user)
        return f"Processing of {job.filename} resumed; this page shows how it goes."


class SellOutUploadErrorsView(PartnerMemberRequiredMixin, VisibleQuerysetMixin, SingleObjectMixin, View):
    """The problem report as CSV (row, column, value, reason)."""

    model = SellOutUpload

    def get(self, request, pk):
        job = self.get_object(self.get_queryset().defer("content"))
        response = HttpResponse(errors_as_csv(job.errors), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="sellout-upload-{job.pk}-errors.csv"'
        return response


# --- two-tier reconciliation ----------------------------------------------------------------------------


def _month_param(value: str | None, default: date) -> date:
    try:
        return month_start(date.fromisoformat(f"{value}-01")) if value else default
    except ValueError:
        return default


class _ReconciliationBase(TemplateView):
    """The rows of the chosen months (default: this month and the two before); `?export=csv|xlsx` downloads them."""

    template_name = "sellout/reconciliation.html"
    area = "portal"

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export is None:
            return super().get(request, *args, **kwargs)
        if export not in EXPORT_FORMATS:
            return HttpResponseBadRequest("Unknown export format: use csv or xlsx.")
        rows = self.get_context_data()["rows"]
        values = ([column.value(row) for column in RECONCILIATION_COLUMNS] for row in rows)
        return EXPORT_FORMATS[export]("two-tier reconciliation", RECONCILIATION_COLUMNS, values)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.now().date()
        default_last = month_start(today)
        default_first = month_start(default_last - timedelta(days=62))
        first = _month_param(self.request.GET.get("from"), default_first)
        last = _month_param(self.request.GET.get("to"), default_last)
        if first > last:
            first, last = last, first
        exceptions_only = self.request.GET.get("exceptions") == "1"
        tolerance = Tolerance.from_settings()
        rows = two_tier_reconciliation(
            user=self.request.user,
            first_month=first,
            last_month=last,
            tolerance=tolerance,
            exceptions_only=exceptions_only,
        )
        context.update(
            area=self.area,
            rows=rows,
            first=first,
            last=last,
            exceptions_only=exceptions_only,
            exception_count=sum(1 for row in rows if row.is_exception),
            tolerance=tolerance,
            tolerance_percent=tolerance.share * 100,
            export_query=self.request.GET.urlencode(),
        )
        return context


class ReconciliationView(PartnerMemberRequiredMixin, _ReconciliationBase):
    """A distributor's own sales to its resellers against their stock and sell-out reports."""

    area = "portal"


class ManageReconciliationView(ManagerRequiredMixin, _ReconciliationBase):
    area = "manage"
