"""The channel team's review pages of sell-out: every delivery (import batch) with its lines, corrections and
revert, and the queue of new end customers (create as a customer, or link to one)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView

from core.exceptions import ServiceError
from core.lists import FilteredListView
from core.text import counted
from core.views import ManagerRequiredMixin, ServiceActionView, VisibleQuerysetMixin
from ingest.models import ImportBatch
from ingest.services import import_batch_revert

from .columns import BATCH_COLUMNS, BATCH_SORT_FIELDS, CANDIDATE_COLUMNS, CANDIDATE_SORT_FIELDS
from .filtersets import CandidateFilterSet, ImportBatchFilterSet
from .forms import CandidateCreateForm, CandidateLinkForm
from .models import EndCustomerCandidate, SellOutCorrection, SellOutLine
from .services import end_customer_candidate_create, end_customer_candidate_link

LINES_SHOWN = 100


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
        context["lines"] = lines.select_related("product").order_by("invoice_number", "invoice_line")[:LINES_SHOWN]
        corrections = SellOutCorrection.objects.visible_to(self.request.user).filter(batch=batch)
        context["corrections"] = corrections.select_related("line", "line__product").order_by("-changed_at")[
            :LINES_SHOWN
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
        context["lines"] = lines.select_related("reporter", "product").order_by("-date")[:LINES_SHOWN]
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
