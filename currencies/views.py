"""Rate pages in /manage/: the table per currency (latest rate and gaps), every rate, and the CSV upload."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from core.lists import FilteredListView
from core.text import counted
from core.views import ManagerRequiredMixin, ServiceActionView, VisibleQuerysetMixin

from .columns import RATE_COLUMNS, RATE_SORT_FIELDS
from .csv_import import TEMPLATE_EXAMPLE, TEMPLATE_HEADER
from .filtersets import ExchangeRateFilterSet
from .forms import RateUploadForm
from .models import ExchangeRate, RateUpload
from .selectors import rate_coverage, reporting_currency
from .services import rate_upload_create, rate_upload_import

ERRORS_SHOWN = 200


class RateOverviewView(ManagerRequiredMixin, TemplateView):
    """Each currency of the rate table with its latest rate and the months it cannot convert."""

    template_name = "currencies/rate_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.now().date()
        context["coverage"] = rate_coverage(today=today)
        context["reporting_currency"] = reporting_currency()
        context["today"] = today
        context["uploads"] = RateUpload.objects.visible_to(self.request.user).defer("content", "errors")[:5]
        return context


class RateListView(ManagerRequiredMixin, VisibleQuerysetMixin, FilteredListView):
    model = ExchangeRate
    filterset_class = ExchangeRateFilterSet
    paginate_by = 50
    template_name = "currencies/rate_list.html"
    ordering = ("currency", "-date", "granularity")
    sort_fields = RATE_SORT_FIELDS
    export_columns = RATE_COLUMNS
    export_name = "exchange-rates"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reporting_currency"] = reporting_currency()
        return context


class RateTemplateView(ManagerRequiredMixin, View):
    """The CSV template with two example rows."""

    def get(self, request):
        response = HttpResponse(f"{TEMPLATE_HEADER}\n{TEMPLATE_EXAMPLE}", content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="exchange-rates-template.csv"'
        return response


class RateUploadView(ManagerRequiredMixin, FormView):
    template_name = "currencies/rate_upload.html"
    form_class = RateUploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["uploads"] = RateUpload.objects.visible_to(self.request.user).defer("content", "errors")[:10]
        context["reporting_currency"] = reporting_currency()
        context["template_header"] = TEMPLATE_HEADER
        context["template_example"] = TEMPLATE_EXAMPLE
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        record = rate_upload_create(user=self.request.user, filename=upload.name, content=upload.read())
        return redirect("currencies:rate_upload_detail", pk=record.pk)


class RateUploadDetailView(ManagerRequiredMixin, VisibleQuerysetMixin, DetailView):
    """The check report of a file: rows, valid rows, and every problem by row and column."""

    model = RateUpload
    template_name = "currencies/rate_upload_detail.html"
    context_object_name = "upload"

    def get_queryset(self):
        return super().get_queryset().defer("content").select_related("user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["errors_shown"] = self.object.errors[:ERRORS_SHOWN]
        context["error_rows"] = len({e["row"] for e in self.object.errors if e.get("row") is not None})
        return context


class RateUploadImportView(ManagerRequiredMixin, VisibleQuerysetMixin, ServiceActionView):
    """Import the valid rows of a checked file."""

    model = RateUpload

    def get_action_object(self) -> RateUpload:
        return self.get_object(self.get_queryset().defer("content", "errors"))

    def act(self, upload: RateUpload, data: dict) -> str:
        upload = rate_upload_import(upload=upload, user=self.request.user)
        return (
            f"Imported {upload.filename}: {counted(upload.created_count, 'new rate')}, "
            f"{upload.updated_count:,} replaced, {upload.unchanged_count:,} unchanged. "
            "Figures use the new rates from the next recompute."
        )

    def get_success_url(self) -> str:
        return reverse("currencies:rate_upload_detail", args=[self.object.pk])
