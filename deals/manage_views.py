"""Channel-manager pages for deal registrations: all deals, the approval queue, conflicts, decisions."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import DetailView

from core.lists import FilteredListView
from core.text import counted
from core.views import ManagerRequiredMixin, ServiceActionView, VisibleQuerysetMixin

from .columns import EXPORT_COLUMNS, SORT_FIELDS
from .filtersets import DealFilterSet
from .forms import BulkDecisionForm, NoteForm, RejectForm
from .models import DealRegistration, DealStatus
from .selectors import deal_conflicts_for_manager, deal_detail_queryset
from .services import deal_approve, deal_bulk_decide, deal_extend, deal_reject

LIST_SELECT = ("partner", "partner__tier", "partner__region", "customer", "loss_reason")
# The queue holds submitted registrations only: status, close dates and extension filters mean nothing there.
QUEUE_HIDDEN_FILTERS = (
    "status",
    "close_after",
    "close_before",
    "submitted_after",
    "submitted_before",
    "extension_requested",
    "closed_after",
    "closed_before",
    "loss_reason",
)


class ManageDealMixin(ManagerRequiredMixin, VisibleQuerysetMixin):
    model = DealRegistration


class ManageDealListView(ManageDealMixin, FilteredListView):
    """Every registration the manager may see, in any status; newest first unless a header sorts it."""

    queryset = DealRegistration.objects.select_related(*LIST_SELECT)
    filterset_class = DealFilterSet
    paginate_by = 50
    template_name = "deals/manage_deal_list.html"
    ordering = ("-created_at", "-pk")
    sort_fields = SORT_FIELDS
    export_columns = EXPORT_COLUMNS
    export_name = "deal registrations"


class ApprovalQueueView(ManageDealMixin, FilteredListView):
    """Submitted registrations awaiting a decision, oldest first, with bulk approve / reject."""

    queryset = DealRegistration.objects.filter(status=DealStatus.SUBMITTED).select_related(*LIST_SELECT)
    filterset_class = DealFilterSet
    paginate_by = 50
    template_name = "deals/manage_queue.html"
    ordering = ("submitted_at", "pk")
    sort_fields = SORT_FIELDS
    export_columns = EXPORT_COLUMNS
    export_name = "approval queue"

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for name in QUEUE_HIDDEN_FILTERS:
            filterset.form.fields.pop(name, None)
            filterset.filters.pop(name, None)
        return filterset

    bulk_form: BulkDecisionForm | None = None
    selected_ids: frozenset[int] = frozenset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_form"] = self.bulk_form or BulkDecisionForm(auto_id="bulk_%s")
        context["selected_ids"] = self.selected_ids
        context["conflict_count"] = self.object_list.filter(has_conflict=True).count()
        return context

    def post(self, request, *args, **kwargs):
        """Bulk decision; the form posts to the current query string, so filters and page survive."""
        form = BulkDecisionForm(request.POST, auto_id="bulk_%s")
        if not form.is_valid():
            # Show the same page again with the error and the ticks kept.
            self.bulk_form = form
            self.selected_ids = frozenset(int(v) for v in request.POST.getlist("deals") if v.isdigit())
            return self.get(request, *args, **kwargs)
        approve = form.cleaned_data["action"] == "approve"
        results = deal_bulk_decide(
            deal_ids=form.cleaned_data["deals"], user=request.user, approve=approve, reason=form.cleaned_data["reason"]
        )
        done = [r.reference for r in results if r.ok]
        if done:
            verb = "Approved" if approve else "Rejected"
            messages.success(request, f"{verb} {counted(len(done), 'registration')}: {', '.join(done)}.")
        for result in results:
            if not result.ok:
                messages.error(request, f"{result.reference}: {result.message}")
        return redirect(request.get_full_path())


def manage_detail_context(request, deal: DealRegistration, **forms) -> dict:
    forms.setdefault("approve_form", NoteForm(auto_id="approve_%s"))
    forms.setdefault("reject_form", RejectForm(auto_id="reject_%s"))
    forms.setdefault("extend_form", NoteForm(auto_id="extend_%s"))
    return {
        "deal": deal,
        "object": deal,
        "lines": list(deal.lines.all()),
        "events": list(deal.events.all()),
        "conflicts": deal_conflicts_for_manager(deal=deal, user=request.user) if deal.has_conflict else [],
        "can_extend": deal.status == DealStatus.APPROVED and not deal.extended_at,
        **forms,
    }


class ManageDealDetailView(ManageDealMixin, DetailView):
    """One registration for a manager: partner, lines, conflicts, history, decisions."""

    template_name = "deals/manage_deal_detail.html"

    def get_queryset(self):
        return deal_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        return manage_detail_context(self.request, self.object)


class ConflictView(ManageDealMixin, DetailView):
    """A conflicting registration next to the ones it overlaps, so the manager can decide each."""

    template_name = "deals/manage_conflicts.html"

    def get_queryset(self):
        return deal_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal = self.object
        context["deal"] = deal
        context["conflicts"] = deal_conflicts_for_manager(deal=deal, user=self.request.user)
        context["columns"] = [deal] + [c.deal for c in context["conflicts"] if c.deal is not None]
        context["hidden"] = [c for c in context["conflicts"] if c.deal is None]
        context["back"] = self.request.path
        return context


class _ManagerActionView(ManageDealMixin, ServiceActionView):
    """POST-only decision; a refused change becomes a message, a missing reason re-shows the form."""

    form_class = NoteForm
    form_context_name = ""

    def get_action_object(self):
        return self.get_object(deal_detail_queryset(user=self.request.user))

    def get_success_url(self) -> str:
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return reverse("deals:manage_deal_detail", args=[self.object.pk])

    def invalid(self, deal, form):
        context = manage_detail_context(self.request, deal, **{self.form_context_name: form})
        return TemplateResponse(self.request, "deals/manage_deal_detail.html", context)


class ApproveView(_ManagerActionView):
    form_context_name = "approve_form"
    auto_id = "approve_%s"

    def act(self, deal, data):
        deal_approve(deal=deal, user=self.request.user, note=data["note"])
        return f"{deal.reference} approved; protected until {deal.protection_expires_at:%Y-%m-%d}."


class RejectView(_ManagerActionView):
    form_class = RejectForm
    form_context_name = "reject_form"
    auto_id = "reject_%s"

    def act(self, deal, data):
        deal_reject(deal=deal, user=self.request.user, reason=data["reason"])
        return f"{deal.reference} rejected."


class ExtendView(_ManagerActionView):
    form_context_name = "extend_form"
    auto_id = "extend_%s"

    def act(self, deal, data):
        deal_extend(deal=deal, user=self.request.user, note=data["note"])
        return f"Protection of {deal.reference} extended to {deal.protection_expires_at:%Y-%m-%d}."
