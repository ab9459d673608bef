"""Sell-out pages: partners report and upload in the portal; managers browse, revert imports, review new end
customers and reconcile two-tier sales in /manage/."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.db.models import Count, Prefetch
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
from ingest.models import ImportBatch
from ingest.services import import_batch_revert
from ingest.uploads import problem_summary
from partners.models import Partner

from .columns import (
    BATCH_COLUMNS,
    BATCH_SORT_FIELDS,
    CANDIDATE_COLUMNS,
    CANDIDATE_SORT_FIELDS,
    LINE_COLUMNS,
    LINE_SORT_FIELDS,
    RECONCILIATION_COLUMNS,
    UPLOAD_COLUMNS,
    UPLOAD_SORT_FIELDS,
)
from .csv_import import TEMPLATE_HEADER, example_csv
from .filtersets import CandidateFilterSet, ImportBatchFilterSet, SellOutLineFilterSet, SellOutUploadFilterSet
from .forms import CandidateCreateForm, CandidateLinkForm, SellOutUploadForm
from .imports import UPLOADS, sellout_upload_create, sellout_upload_request_import, sellout_upload_resume
from .models import EndCustomerCandidate, SellOutCorrection, SellOutLine, SellOutUpload
from .reconciliation import Tolerance, month_start, two_tier_reconciliation
from .services import end_customer_candidate_create, end_customer_candidate_link
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


# --- imports (batches): managers --------------------------------------------------------------------


class _BatchMixin(ManagerRequiredMixin, VisibleQuerysetMixin):
    model = ImportBatch

    def get_queryset(self):
        return super().get_queryset().filter(kind="sellout").select_related("partner", "user", "token", "reverted_by")


class ImportBatchListView(_BatchMixin, FilteredListView):
    """Every sell-out delivery the manager sees (files, API calls, EDI interchanges) and what each wrote."""

    filterset_class = ImportBatchFilterSet
    template_name = "sellout/batch_list.html"
    paginate_by = 50
    ordering = ("-created_at", "-pk")
    sort_fields = BATCH_SORT_FIELDS
    export_columns = BATCH_COLUMNS
    export_name = "sell-out imports"


class ImportBatchDetailView(_BatchMixin, DetailView):
    """One delivery: the lines it wrote (still as it left them) and the corrections it made."""

    template_name = "sellout/batch_detail.html"
    context_object_name = "batch"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.object
        lines = SellOutLine.objects.visible_to(self.request.user).filter(batch=batch)
        context["line_count"] = lines.count()
        context["lines"] = lines.select_related("product").order_by("invoice_number", "invoice_line")[
            :BATCH_LINES_SHOWN
        ]
        corrections = SellOutCorrection.objects.visible_to(self.request.user).filter(batch=batch)
        context["corrections"] = corrections.select_related("line", "line__product").order_by("-changed_at")[
            :BATCH_LINES_SHOWN
        ]
        context["correction_count"] = corrections.count()
        return context


class ImportBatchRevertView(_BatchMixin, DetailView):
    """GET: what reverting will do, and a confirm button; POST: `import_batch_revert`."""

    template_name = "sellout/batch_revert.html"
    context_object_name = "batch"

    def post(self, request, pk):
        batch = self.get_object()
        try:
            batch = import_batch_revert(batch=batch, user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            summary = batch.revert_summary
            messages.success(
                request,
                f"Import reverted: {counted(summary.get('deleted', 0), 'line')} deleted, "
                f"{summary.get('restored', 0):,} restored to their previous values, "
                f"{summary.get('kept', 0):,} kept as a later delivery left them.",
            )
        return redirect("sellout:manage_batch_detail", pk=batch.pk)


# --- end-customer candidates: managers ---------------------------------------------------------------


class _CandidateMixin(ManagerRequiredMixin, VisibleQuerysetMixin):
    model = EndCustomerCandidate

    def get_queryset(self):
        return super().get_queryset().select_related("customer").annotate(line_count=Count("lines", distinct=True))


class CandidateListView(_CandidateMixin, FilteredListView):
    """The queue of end customers that matched no customer; open ones first by default."""

    filterset_class = CandidateFilterSet
    template_name = "sellout/candidate_list.html"
    paginate_by = 50
    ordering = ("name", "pk")
    sort_fields = CANDIDATE_SORT_FIELDS
    export_columns = CANDIDATE_COLUMNS
    export_name = "end-customer candidates"

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if "status" not in self.request.GET:
            data = kwargs["data"].copy() if kwargs.get("data") is not None else self.request.GET.copy()
            data["status"] = EndCustomerCandidate.Status.OPEN
            kwargs["data"] = data
        return kwargs


class CandidateDetailView(_CandidateMixin, DetailView):
    template_name = "sellout/candidate_detail.html"
    context_object_name = "candidate"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = SellOutLine.objects.visible_to(self.request.user).filter(customer_candidate=self.object)
        context["lines"] = lines.select_related("reporter", "product").order_by("-date")[:BATCH_LINES_SHOWN]
        context["create_form"] = CandidateCreateForm(initial={"name": self.object.name})
        context["link_form"] = CandidateLinkForm(user=self.request.user, auto_id="link_%s")
        return context


class CandidateCreateView(_CandidateMixin, ServiceActionView):
    form_class = CandidateCreateForm

    def act(self, candidate, data):
        customer, moved = end_customer_candidate_create(
            candidate=candidate,
            user=self.request.user,
            name=data.get("name") or "",
            industry=data.get("industry") or "",
        )
        return f"{customer.name} created as a customer; {counted(moved, 'line')} now point to it."

    def get_success_url(self) -> str:
        return reverse("sellout:manage_candidate_detail", args=[self.object.pk])


class CandidateLinkView(_CandidateMixin, ServiceActionView):
    form_class = CandidateLinkForm

    def get_action_form_kwargs(self) -> dict:
        return {**super().get_action_form_kwargs(), "user": self.request.user}

    def act(self, candidate, data):
        moved = end_customer_candidate_link(candidate=candidate, customer=data["customer"], user=self.request.user)
        return f"{candidate.name} linked to {data['customer'].name}; {counted(moved, 'line')} now point to it."

    def get_success_url(self) -> str:
        return reverse("sellout:manage_candidate_detail", args=[self.object.pk])


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
