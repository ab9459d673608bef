"""Inventory pages: partners report and upload in the portal; managers browse in /manage/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView
from django.views.generic.detail import SingleObjectMixin

from core.exceptions import ServiceError
from core.lists import FilteredListView
from core.text import counted
from core.views import ManagerRequiredMixin, PartnerMemberRequiredMixin, ServiceActionView, VisibleQuerysetMixin
from ingest.uploads import problem_summary
from partners.models import Partner

from .columns import IMPORT_JOB_COLUMNS, IMPORT_JOB_SORT_FIELDS, INVENTORY_COLUMNS, INVENTORY_SORT_FIELDS
from .csv_import import TEMPLATE_HEADER, errors_as_csv
from .filtersets import ImportJobFilterSet, InventoryFilterSet
from .forms import InventoryRowFormSet, InventoryUploadForm
from .imports import (
    import_job_create,
    import_job_is_stalled,
    import_job_may_resume,
    import_job_request_import,
    import_job_resume,
    resume_offered_after,
)
from .models import ImportJob, InventoryReport
from .selectors import import_job_list
from .services import inventory_upsert

ERRORS_SHOWN = 200


class _InventoryListBase(VisibleQuerysetMixin, FilteredListView):
    model = InventoryReport
    filterset_class = InventoryFilterSet
    paginate_by = 50
    template_name = "inventory/inventory_list.html"
    area = "portal"
    ordering = ("-date", "partner__name", "product__sku")
    sort_fields = INVENTORY_SORT_FIELDS
    export_columns = INVENTORY_COLUMNS
    export_name = "inventory"

    def get_queryset(self):
        return super().get_queryset().select_related("partner", "product")

    def several_partners(self) -> bool:
        return True

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if not self.several_partners():
            for name in ("partner", "region"):
                filterset.form.fields.pop(name, None)
        elif self.area == "portal":
            filterset.form.fields.pop("region", None)
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["area"] = self.area
        context["show_partner"] = self.several_partners()
        return context


class InventoryListView(PartnerMemberRequiredMixin, _InventoryListBase):
    """The partner's stock reports (a distributor also reads its resellers')."""

    def several_partners(self) -> bool:
        if not hasattr(self, "_several"):
            self._several = Partner.objects.visible_to(self.request.user).count() > 1
        return self._several


class ManageInventoryListView(ManagerRequiredMixin, _InventoryListBase):
    area = "manage"


class InventoryReportView(PartnerMemberRequiredMixin, FormView):
    """Report a few products at once; each row replaces any earlier report for that product and date."""

    template_name = "inventory/inventory_report_form.html"
    form_class = InventoryRowFormSet

    def form_valid(self, form):
        try:
            counts = inventory_upsert(
                partner=self.request.user.partner, user=self.request.user, rows=form.rows(), source="portal"
            )
        except ServiceError as exc:
            messages.error(self.request, exc.message)
            return self.form_invalid(form)
        except ValidationError as exc:
            # The rows were checked by the formset; what the service refuses concerns them all.
            form._non_form_errors = form.error_class(exc.messages)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Inventory saved: {counted(counts['created'], 'new row')}, {counts['updated']:,} replaced.",
        )
        return redirect("inventory:inventory_list")


class InventoryTemplateView(PartnerMemberRequiredMixin, View):
    """The standard upload template: the header row only, so an untouched file imports nothing."""

    def get(self, request):
        response = HttpResponse(TEMPLATE_HEADER + "\r\n", content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="inventory-template.csv"'
        return response


class InventoryUploadView(PartnerMemberRequiredMixin, FormView):
    template_name = "inventory/inventory_upload.html"
    form_class = InventoryUploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent_jobs"] = import_job_list(user=self.request.user)[:5]
        return context

    def form_valid(self, form):
        try:
            job = import_job_create(
                partner=self.request.user.partner,
                user=self.request.user,
                filename=form.cleaned_data["file"].name,
                content=form.content(),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return redirect("inventory:import_detail", pk=job.pk)


class _ImportJobMixin(PartnerMemberRequiredMixin, VisibleQuerysetMixin):
    model = ImportJob
    area = "portal"


class _ImportJobListBase(VisibleQuerysetMixin, FilteredListView):
    model = ImportJob
    filterset_class = ImportJobFilterSet
    template_name = "inventory/import_list.html"
    paginate_by = 25
    ordering = ("-created_at", "-pk")
    sort_fields = IMPORT_JOB_SORT_FIELDS
    export_columns = IMPORT_JOB_COLUMNS
    export_name = "inventory uploads"

    def get_queryset(self):
        return super().get_queryset().defer("content", "errors").select_related("user", "partner")

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if self.area == "portal":
            filterset.form.fields.pop("partner", None)
        return filterset

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"area": self.area}


class ImportJobListView(PartnerMemberRequiredMixin, _ImportJobListBase):
    area = "portal"


class ManageImportJobListView(ManagerRequiredMixin, _ImportJobListBase):
    """Managers follow the uploads of the partners they see (the visibility rule), and resume one that stopped."""

    area = "manage"


class _ImportJobDetailBase(VisibleQuerysetMixin, DetailView):
    """The report of one upload: progress while it runs, then the errors (and, in the portal, the import choice).

    A job that has stopped moving (its worker died, or the web process running it was stopped) is
    offered to its uploader and to managers who see it to resume (`import_job_resume`)."""

    model = ImportJob
    template_name = "inventory/import_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return super().get_queryset().defer("content").select_related("user", "partner")

    def get_template_names(self):
        if self.request.htmx:
            return ["inventory/_import_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        context["errors_shown"] = job.errors[:ERRORS_SHOWN]
        context["errors_hidden"] = max(job.error_count - ERRORS_SHOWN, 0)
        context["problem_summary"] = problem_summary(job) if not job.valid_rows else []
        context["area"] = self.area
        context["can_resume"] = import_job_is_stalled(job) and import_job_may_resume(job=job, user=self.request.user)
        context["resume_url"] = reverse(f"inventory:{self.url_prefix}import_resume", args=[job.pk])
        context["resume_after_minutes"] = round(resume_offered_after().total_seconds() / 60)
        return context


class ImportJobDetailView(PartnerMemberRequiredMixin, _ImportJobDetailBase):
    area, url_prefix = "portal", ""


class ManageImportJobDetailView(ManagerRequiredMixin, _ImportJobDetailBase):
    area, url_prefix = "manage", "manage_"


class _ImportJobResumeBase(VisibleQuerysetMixin, ServiceActionView):
    """Start again a file whose processing stopped; a second click changes nothing."""

    model = ImportJob
    url_prefix = ""

    def get_action_object(self) -> ImportJob:
        return self.get_object(self.get_queryset().defer("content", "errors"))

    def act(self, job: ImportJob, data: dict) -> str:
        job = import_job_resume(job=job, user=self.request.user)
        return f"Processing of {job.filename} resumed; this page shows how it goes."

    def get_success_url(self) -> str:
        return reverse(f"inventory:{self.url_prefix}import_detail", args=[self.object.pk])


class ImportJobResumeView(PartnerMemberRequiredMixin, _ImportJobResumeBase):
    url_prefix = ""


class ManageImportJobResumeView(ManagerRequiredMixin, _ImportJobResumeBase):
    url_prefix = "manage_"


class ImportJobImportView(_ImportJobMixin, ServiceActionView):
    """The user's choice: import only the valid rows of a checked file."""

    def get_action_object(self):
        return self.get_object(self.get_queryset().defer("content"))

    def act(self, job, data):
        job = import_job_request_import(job=job, user=self.request.user)
        if job.status == ImportJob.Status.DONE:
            return f"Imported: {counted(job.created_count, 'new row')}, {job.updated_count:,} replaced."
        return ""  # a large file: the page shows its progress

    def get_success_url(self) -> str:
        return reverse("inventory:import_detail", args=[self.object.pk])


class ImportJobErrorsView(_ImportJobMixin, SingleObjectMixin, View):
    """The error report as CSV (row, column, value, reason)."""

    def get(self, request, pk):
        job = self.get_object(self.get_queryset().defer("content"))
        response = HttpResponse(errors_as_csv(job.errors), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="inventory-import-{job.pk}-errors.csv"'
        return response
