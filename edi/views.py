"""EDI pages: partners and managers upload interchanges and follow them; balance exceptions; locations."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import DetailView, FormView
from django.views.generic.detail import SingleObjectMixin

from core.exceptions import ServiceError
from core.lists import FilteredListView
from core.spreadsheets import safe_text
from core.views import ManagerRequiredMixin, PartnerMemberRequiredMixin, VisibleQuerysetMixin

from .columns import (
    ACTIVITY_COLUMNS,
    ACTIVITY_SORT_FIELDS,
    IMPORT_COLUMNS,
    IMPORT_SORT_FIELDS,
    LOCATION_COLUMNS,
    LOCATION_SORT_FIELDS,
)
from .filtersets import EdiImportFilterSet, ProductActivityFilterSet, ReportingLocationFilterSet
from .forms import EdiUploadForm
from .models import EdiImport, ProductActivity, ReportingLocation
from .selectors import edi_import_list
from .services import edi_import_create

ERRORS_SHOWN = 200


class _UploadBase(FormView):
    template_name = "edi/upload.html"
    form_class = EdiUploadForm
    area = "portal"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent"] = edi_import_list(user=self.request.user)[:5]
        context["area"] = self.area
        return context

    def form_valid(self, form):
        try:
            job = edi_import_create(
                user=self.request.user,
                content=form.content(),
                source=EdiImport.Source.PORTAL,
                filename=form.cleaned_data["file"].name,
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return redirect(f"edi:{'manage_' if self.area == 'manage' else ''}import_detail", pk=job.pk)


class UploadView(PartnerMemberRequiredMixin, _UploadBase):
    """A partner sends an interchange for itself (or, a distributor, for its own locations)."""


class ManageUploadView(ManagerRequiredMixin, _UploadBase):
    """A channel manager sends an interchange for any partner in scope (e.g. one a partner e-mailed)."""

    area = "manage"


class _ImportListBase(VisibleQuerysetMixin, FilteredListView):
    model = EdiImport
    filterset_class = EdiImportFilterSet
    template_name = "edi/import_list.html"
    paginate_by = 25
    ordering = ("-created_at", "-pk")
    sort_fields = IMPORT_SORT_FIELDS
    export_columns = IMPORT_COLUMNS
    export_name = "edi interchanges"
    area = "portal"

    def get_queryset(self):
        return super().get_queryset().defer("content", "errors", "summary").select_related("user", "partner")

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if self.area == "portal":
            filterset.form.fields.pop("partner", None)
        return filterset

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"area": self.area}


class ImportListView(PartnerMemberRequiredMixin, _ImportListBase):
    pass


class ManageImportListView(ManagerRequiredMixin, _ImportListBase):
    area = "manage"


class _ImportDetailBase(VisibleQuerysetMixin, DetailView):
    """One interchange: progress while it runs (htmx polls the status part), then its result or its errors."""

    model = EdiImport
    template_name = "edi/import_detail.html"
    context_object_name = "job"
    area = "portal"

    def get_queryset(self):
        return super().get_queryset().defer("content").select_related("user", "partner", "duplicate_of")

    def get_template_names(self):
        if self.request.htmx:
            return ["edi/_import_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        context["errors_shown"] = job.errors[:ERRORS_SHOWN]
        context["errors_hidden"] = max(job.error_count - ERRORS_SHOWN, 0)
        context["area"] = self.area
        context["prefix"] = "manage_" if self.area == "manage" else ""
        return context


class ImportDetailView(PartnerMemberRequiredMixin, _ImportDetailBase):
    pass


class ManageImportDetailView(ManagerRequiredMixin, _ImportDetailBase):
    area = "manage"


def errors_as_csv(errors: list[dict]) -> str:
    """The error report (segment, segment id, element, value, reason) as CSV, every cell formula-guarded."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["segment", "segment_id", "element", "value", "reason"])
    for error in errors:
        cells = [error.get(k) for k in ("segment", "segment_id", "element", "value", "reason")]
        writer.writerow([safe_text(str(cell if cell is not None else "")) for cell in cells])
    return out.getvalue()


class _ImportErrorsBase(VisibleQuerysetMixin, SingleObjectMixin, View):
    model = EdiImport

    def get(self, request, pk):
        job = self.get_object(self.get_queryset().defer("content"))
        response = HttpResponse(errors_as_csv(job.errors), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="edi-{job.pk}-errors.csv"'
        return response


class ImportErrorsView(PartnerMemberRequiredMixin, _ImportErrorsBase):
    pass


class ManageImportErrorsView(ManagerRequiredMixin, _ImportErrorsBase):
    pass


class _ActivityListBase(VisibleQuerysetMixin, FilteredListView):
    """852 product activity with its balance; `?exceptions=true` (the default link) lists only exceptions."""

    model = ProductActivity
    filterset_class = ProductActivityFilterSet
    template_name = "edi/activity_list.html"
    paginate_by = 50
    ordering = ("-period_end", "partner__name", "site_name", "product__sku")
    sort_fields = ACTIVITY_SORT_FIELDS
    export_columns = ACTIVITY_COLUMNS
    export_name = "product activity"
    area = "portal"

    def get_queryset(self):
        return super().get_queryset().select_related("partner", "product")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"area": self.area}


class ActivityListView(PartnerMemberRequiredMixin, _ActivityListBase):
    """The partner's own activity and exceptions (a distributor also reads its resellers')."""


class ManageActivityListView(ManagerRequiredMixin, _ActivityListBase):
    area = "manage"


class ManageLocationListView(ManagerRequiredMixin, VisibleQuerysetMixin, FilteredListView):
    """Reporting locations of the partners the manager sees; added and changed in the admin."""

    model = ReportingLocation
    filterset_class = ReportingLocationFilterSet
    template_name = "edi/location_list.html"
    paginate_by = 50
    ordering = ("partner__name", "qualifier", "code")
    sort_fields = LOCATION_SORT_FIELDS
    export_columns = LOCATION_COLUMNS
    export_name = "reporting locations"

    def get_queryset(self):
        return super().get_queryset().select_related("partner")
