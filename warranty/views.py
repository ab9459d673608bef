"""Warranty pages: partners file and follow claims in the portal; managers review them in /manage/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView, FormView

from core.exceptions import ServiceError
from core.lists import FilteredListView
from core.text import money
from core.views import (
    ManagerRequiredMixin,
    PartnerMemberRequiredMixin,
    ServiceActionMixin,
    VisibleQuerysetMixin,
    add_service_errors,
)

from .columns import EXPORT_COLUMNS, SORT_FIELDS
from .filtersets import OPEN, WarrantyClaimFilterSet
from .forms import ApproveForm, ClaimForm, RejectForm
from .models import ClaimStatus, WarrantyClaim
from .selectors import claim_history
from .services import claim_approve, claim_create, claim_pay, claim_reject, claim_start_review, warranty_end

# A new customer's name comes back from customer_resolve as `customer.name`.
CUSTOMER_ERROR_FIELDS = {"customer": "customer", "customer.name": "customer_name"}


class _ClaimListBase(VisibleQuerysetMixin, FilteredListView):
    model = WarrantyClaim
    filterset_class = WarrantyClaimFilterSet
    paginate_by = 50
    template_name = "warranty/claim_list.html"
    area = "portal"
    ordering = ("-submitted_at", "-pk")
    sort_fields = SORT_FIELDS
    export_columns = EXPORT_COLUMNS
    export_name = "warranty claims"
    hidden_filters: tuple[str, ...] = ("partner", "region")

    def get_queryset(self):
        return super().get_queryset().select_related("partner", "product", "failure_code", "customer")

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for name in self.hidden_filters:
            filterset.form.fields.pop(name, None)
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["area"] = self.area
        return context


class ClaimListView(PartnerMemberRequiredMixin, _ClaimListBase):
    """The partner's claims, newest first."""


class ManageClaimQueueView(ManagerRequiredMixin, _ClaimListBase):
    """The review queue: open claims oldest first, unless the filters ask for something else."""

    area = "manage"
    hidden_filters = ()
    ordering = ("submitted_at", "pk")
    export_name = "warranty review queue"

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if "status" not in self.request.GET:
            data = self.request.GET.copy()
            data["status"] = OPEN
            kwargs["data"] = data
        return kwargs


class ClaimCreateView(PartnerMemberRequiredMixin, FormView):
    template_name = "warranty/claim_form.html"
    form_class = ClaimForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                claim = claim_create(
                    partner=self.request.user.partner,
                    user=self.request.user,
                    product=data["product"],
                    serial_number=data["serial_number"],
                    purchase_date=data["purchase_date"],
                    failure_date=data["failure_date"],
                    failure_code=data["failure_code"],
                    parts_amount=data["parts_amount"],
                    labour_amount=data["labour_amount"],
                    customer=form.customer_choice(),
                    description=data["description"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc, fields=CUSTOMER_ERROR_FIELDS)
            return self.form_invalid(form)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Claim {claim.reference} filed; the channel team has been told.")
        return redirect("warranty:claim_detail", pk=claim.pk)


class _ClaimDetailBase(VisibleQuerysetMixin, DetailView):
    model = WarrantyClaim
    context_object_name = "claim"
    template_name = "warranty/claim_detail.html"
    area = "portal"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("partner", "product", "failure_code", "customer", "submitted_by", "decided_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        context["area"] = self.area
        context["events"] = claim_history(user=self.request.user, claim=claim)
        context["warranty_end"] = warranty_end(product=claim.product, purchase_date=claim.purchase_date)
        context["duplicate_visible"] = (
            claim.duplicate_of_id
            and WarrantyClaim.objects.visible_to(self.request.user)
            .filter(pk=claim.duplicate_of_id)
            .only("pk", "reference")
            .first()
        )
        return context


class ClaimDetailView(PartnerMemberRequiredMixin, _ClaimDetailBase):
    pass


class ManageClaimDetailView(ManagerRequiredMixin, ServiceActionMixin, _ClaimDetailBase):
    """Review a claim: start review, approve in full or in part, reject with a reason, mark paid.

    The decision forms post here with an `action`; each calls its service through ServiceActionMixin.
    """

    area = "manage"
    forms = {"review": None, "approve": ApproveForm, "reject": RejectForm, "pay": None}
    # Where a service error that names no field goes: the amount for an approval, the reason for a rejection.
    error_fields = {"approve": "amount", "reject": "reason"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        context.setdefault("approve_form", ApproveForm(claimed=claim.claimed_amount))
        context.setdefault("reject_form", RejectForm())
        context["can_review"] = claim.status == ClaimStatus.SUBMITTED
        context["can_decide"] = claim.status in (ClaimStatus.SUBMITTED, ClaimStatus.UNDER_REVIEW)
        context["can_pay"] = claim.status == ClaimStatus.APPROVED
        context["partner_open_claims"] = (
            WarrantyClaim.objects.visible_to(self.request.user)
            .filter(partner=claim.partner, status__in=(ClaimStatus.SUBMITTED, ClaimStatus.UNDER_REVIEW))
            .count()
        )
        return context

    @property
    def action(self) -> str:
        return self.request.POST.get("action", "")

    def post(self, request, *args, **kwargs):
        if self.action not in self.forms:
            messages.error(request, "Unknown action.")
            return redirect("warranty:manage_claim_detail", pk=kwargs["pk"])
        self.error_field = self.error_fields.get(self.action)
        return super().post(request, *args, **kwargs)

    def get_action_form_class(self):
        return self.forms[self.action]

    def get_action_form_kwargs(self):
        kwargs = super().get_action_form_kwargs()
        if self.action == "approve":
            kwargs["claimed"] = self.object.claimed_amount
        return kwargs

    def act(self, claim, data):
        user = self.request.user
        if self.action == "review":
            claim_start_review(claim=claim, user=user)
            return f"{claim.reference}: Review started."
        if self.action == "approve":
            claim_approve(claim=claim, user=user, amount=data["amount"], note=data["note"])
            return f"{claim.reference}: Approved: {money(claim.approved_amount, claim.currency)}."
        if self.action == "reject":
            claim_reject(claim=claim, user=user, reason=data["reason"])
            return f"{claim.reference}: Claim rejected."
        claim_pay(claim=claim, user=user)
        return f"{claim.reference}: Marked as paid."

    def get_success_url(self) -> str:
        return reverse("warranty:manage_claim_detail", args=[self.object.pk])

    def invalid(self, claim, form):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(**{f"{self.action}_form": form}))
