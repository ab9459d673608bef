"""Portal pages for deal registrations: list, register, edit a draft, detail with history, partner actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectMixin

from core.exceptions import ServiceError
from core.lists import FilteredListView
from core.views import PartnerMemberRequiredMixin, ServiceActionView, VisibleQuerysetMixin, add_service_errors
from customers.forms import NEW_CUSTOMER_FIELDS
from partners.models import Partner

from .columns import EXPORT_COLUMNS, SORT_FIELDS
from .filtersets import DealFilterSet
from .forms import CloseForm, DealForm, DealLineFormSet, NoteForm
from .models import DealRegistration, DealStatus
from .notices import CONFLICT_NOTICE, conflict_notice
from .selectors import deal_detail_queryset, deal_is_editable_by
from .services import (
    deal_close,
    deal_create,
    deal_request_extension,
    deal_submit,
    deal_update_draft,
    deal_withdraw,
    deal_withdraw_check,
)

PORTAL_HIDDEN_FILTERS = ("region", "tier", "waiting", "extension_requested")
LIST_SELECT = ("partner", "partner__tier", "partner__region", "customer", "loss_reason")


class PortalDealMixin(PartnerMemberRequiredMixin, VisibleQuerysetMixin):
    model = DealRegistration


class DealListView(PortalDealMixin, FilteredListView):
    """The partner's registrations (a distributor also reads its resellers'), filtered, sorted and paged."""

    queryset = DealRegistration.objects.select_related(*LIST_SELECT)
    filterset_class = DealFilterSet
    paginate_by = 25
    template_name = "deals/deal_list.html"
    # Drafts (not yet submitted) first, then the newest submissions.
    ordering = (F("submitted_at").desc(nulls_first=True), "-pk")
    sort_fields = SORT_FIELDS
    export_columns = EXPORT_COLUMNS
    export_name = "deal registrations"

    def several_partners(self) -> bool:
        if not hasattr(self, "_several"):
            self._several = Partner.objects.visible_to(self.request.user).count() > 1
        return self._several

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        hidden = PORTAL_HIDDEN_FILTERS if self.several_partners() else (*PORTAL_HIDDEN_FILTERS, "partner")
        for name in hidden:
            filterset.form.fields.pop(name, None)
            filterset.filters.pop(name, None)
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["show_partner"] = self.several_partners()
        return context


# A new customer's details come back from customer_resolve as `customer.<detail>`.
CUSTOMER_ERROR_FIELDS = {f"customer.{detail}": field for detail, field in NEW_CUSTOMER_FIELDS.items()}


def apply_service_errors(exc: ValidationError, form, formset) -> None:
    """Put a service's errors where the user typed the value: a line's problem on that line's field, what
    concerns all lines above them, the rest on the registration form (see core.views.add_service_errors)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    filled = formset.filled_forms()
    above_lines = []
    for error in exc.error_dict.get("lines", []):
        params = error.params or {}
        number, field = params.get("line"), params.get("field")
        if isinstance(number, int) and 0 < number <= len(filled) and field in filled[number - 1].fields:
            filled[number - 1].add_error(field, error)
        else:
            above_lines.append(error)
    if above_lines:
        formset._non_form_errors = formset.error_class(
            [*formset.non_form_errors(), *ValidationError(above_lines).messages]
        )
    rest = ValidationError({key: errors for key, errors in exc.error_dict.items() if key != "lines"})
    add_service_errors(form, rest, fields=CUSTOMER_ERROR_FIELDS)


class _DealFormView(PartnerMemberRequiredMixin, View):
    """Shared by register and edit: the deal form, the product-line formset and the two buttons."""

    template_name = "deals/deal_form.html"
    deal: DealRegistration | None = None

    def forms(self, data=None):
        form = DealForm(data, user=self.request.user, initial=self.initial())
        formset = DealLineFormSet(data, prefix="lines", initial=self.initial_lines())
        return form, formset

    def initial(self) -> dict:
        return {}

    def initial_lines(self) -> list[dict]:
        return []

    def render(self, form, formset):
        context = {"form": form, "formset": formset, "deal": self.deal, "list_prices": formset.list_prices}
        return TemplateResponse(self.request, self.template_name, context)

    def get(self, request, *args, **kwargs):
        return self.render(*self.forms())

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        submit = request.POST.get("action") == "submit"
        if not (form.is_valid() & formset.is_valid()):
            return self.render(form, formset)
        try:
            with transaction.atomic():
                deal = self.save(form, formset, customer=form.customer_choice(), submit=submit)
        except ValidationError as exc:
            apply_service_errors(exc, form, formset)
            return self.render(form, formset)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.render(form, formset)
        if deal.status == DealStatus.DRAFT:
            messages.success(request, f"Draft {deal.reference} saved. Submit it when it is complete.")
        else:
            messages.success(request, f"{deal.reference} submitted; the channel team will review it.")
        if deal.has_conflict:
            messages.warning(request, CONFLICT_NOTICE)
        return redirect("deals:deal_detail", pk=deal.pk)

    def save(self, form, formset, *, customer, submit: bool) -> DealRegistration:
        raise NotImplementedError


def _deal_fields(form) -> dict:
    data = form.cleaned_data
    return {key: data[key] for key in ("expected_close_date", "deal_type", "currency", "notes")}


class DealCreateView(_DealFormView):
    def save(self, form, formset, *, customer, submit):
        return deal_create(
            partner=self.request.user.partner,
            user=self.request.user,
            customer=customer,
            lines=formset.lines(),
            submit=submit,
            source=DealRegistration.Source.PORTAL,
            **_deal_fields(form),
        )


class DealEditView(PortalDealMixin, SingleObjectMixin, _DealFormView):
    """Change a draft; a submitted registration is fixed (its history would not match)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_partner_member:
            self.deal = self.object = self.get_object(
                DealRegistration.objects.editable_by(request.user).select_related("customer")
            )
            if self.deal.status != DealStatus.DRAFT:
                messages.error(request, f"{self.deal.reference} is no longer a draft and cannot be edited.")
                return redirect("deals:deal_detail", pk=self.deal.pk)
        return super().dispatch(request, *args, **kwargs)

    def initial(self):
        deal = self.deal
        return {
            "customer": deal.customer_id,
            "deal_type": deal.deal_type,
            "currency": deal.currency,
            "expected_close_date": deal.expected_close_date,
            "notes": deal.notes,
        }

    def initial_lines(self):
        return [
            {"product": line.product_id, "quantity": line.quantity, "unit_price": line.unit_price}
            for line in self.deal.lines.all()
        ]

    def save(self, form, formset, *, customer, submit):
        deal = deal_update_draft(
            deal=self.deal, user=self.request.user, customer=customer, lines=formset.lines(), **_deal_fields(form)
        )
        if submit:
            deal_submit(deal=deal, user=self.request.user)
        return deal


def portal_detail_context(request, deal: DealRegistration, **forms) -> dict:
    forms.setdefault("close_form", CloseForm(auto_id="close_%s"))
    editable = deal_is_editable_by(deal=deal, user=request.user)
    return {
        "deal": deal,
        "object": deal,
        "lines": list(deal.lines.all()),
        "events": list(deal.events.all()),
        "can_act": editable,
        "conflict_notice": conflict_notice(deal),
        "can_request_extension": editable
        and deal.status == DealStatus.APPROVED
        and not deal.extension_requested_at
        and not deal.extended_at,
        **forms,
    }


class DealDetailView(PortalDealMixin, DetailView):
    """One registration: lines, status, a neutral conflict notice and the full history."""

    template_name = "deals/deal_detail.html"

    def get_queryset(self):
        return deal_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        return portal_detail_context(self.request, self.object)


class _DealActionView(PortalDealMixin, ServiceActionView):
    """POST-only partner action; refused changes come back as a message, bad input as form errors."""

    form_context_name = ""

    def get_action_object(self):
        return self.get_object(deal_detail_queryset(user=self.request.user))

    def get_success_url(self) -> str:
        return reverse("deals:deal_detail", args=[self.object.pk])

    def invalid(self, deal, form):
        context = portal_detail_context(self.request, deal, **{self.form_context_name: form})
        return TemplateResponse(self.request, "deals/deal_detail.html", context)


class DealSubmitView(_DealActionView):
    def act(self, deal, data):
        deal_submit(deal=deal, user=self.request.user)
        return f"{deal.reference} submitted; the channel team will review it."

    def done(self, deal):
        if deal.has_conflict and deal.status == DealStatus.SUBMITTED:
            messages.warning(self.request, CONFLICT_NOTICE)


class DealWithdrawView(_DealActionView):
    """Withdrawing cannot be undone, so it is asked for twice: GET shows what it means and the confirming
    form, POST withdraws only with that form's `confirmed` (no script needed, so the strict CSP holds)."""

    http_method_names = ["get", "post"]
    form_class = NoteForm
    form_context_name = "withdraw_form"
    auto_id = "withdraw_%s"
    template_name = "deals/deal_withdraw_confirm.html"

    def get(self, request, *args, **kwargs):
        deal = self.object = self.get_action_object()
        try:
            deal_withdraw_check(deal=deal, user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(self.get_success_url())
        return self.confirmation(deal, NoteForm(auto_id=self.auto_id))

    def post(self, request, *args, **kwargs):
        if request.POST.get("confirmed") != "yes":
            self.get_action_object()  # 404 for a registration the user cannot see
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def confirmation(self, deal, form, status: int = 200) -> TemplateResponse:
        context = {"deal": deal, "object": deal, "withdraw_form": form}
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def invalid(self, deal, form):
        return self.confirmation(deal, form, status=400)

    def act(self, deal, data):
        deal_withdraw(deal=deal, user=self.request.user, note=data["note"])
        return f"{deal.reference} withdrawn."


class DealRequestExtensionView(_DealActionView):
    def act(self, deal, data):
        deal_request_extension(deal=deal, user=self.request.user)
        return f"Extension requested for {deal.reference}; the channel team will decide."


class DealCloseView(_DealActionView):
    form_class = CloseForm
    form_context_name = "close_form"
    auto_id = "close_%s"

    def act(self, deal, data):
        won = data["outcome"] == "won"
        deal_close(
            deal=deal,
            user=self.request.user,
            won=won,
            loss_reason=None if won else data["loss_reason"],
            loss_note="" if won else data["loss_note"],
        )
        return f"{deal.reference} reported {deal.get_status_display().lower()}."
