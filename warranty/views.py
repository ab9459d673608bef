"""Warranty pages: partners file and follow claims in the portal; managers review them in /manage/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from core.exceptions import ServiceError
from core.views import ManagerRequiredMixin, PartnerMemberRequiredMixin, VisibleQuerysetMixin
from customers.models import Customer
from customers.services import customer_get_or_create

from .filtersets import OPEN, WarrantyClaimFilterSet
from .forms import ApproveForm, ClaimForm, RejectForm
from .models import ClaimStatus, WarrantyClaim
from .selectors import claim_history
from .services import claim_approve, claim_create, claim_pay, claim_reject, claim_start_review, warranty_end


def _customer_named(name: str, user) -> Customer:
    """Match the end customer among those the user can already see, or create it (never another partner's record)."""
    return customer_get_or_create(name=name, visible_to=user)


def _apply_errors(form, exc: ValidationError, default_field: str | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else default_field, errors)
    else:
        form.add_error(default_field, exc.messages)


class _ClaimListBase(VisibleQuerysetMixin, FilterView):
    model = WarrantyClaim
    filterset_class = WarrantyClaimFilterSet
    paginate_by = 50
    template_name = "warranty/claim_list.html"
    area = "portal"
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

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if "status" not in self.request.GET:
            data = self.request.GET.copy()
            data["status"] = OPEN
            kwargs["data"] = data
        return kwargs

    def get_queryset(self):
        return super().get_queryset().order_by("submitted_at", "pk")


class ClaimCreateView(PartnerMemberRequiredMixin, FormView):
    template_name = "warranty/claim_form.html"
    form_class = ClaimForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                customer = data["customer"]
                if customer is None and data["customer_name"].strip():
                    try:
                        customer = _customer_named(data["customer_name"].strip(), self.request.user)
                    except ValidationError as exc:
                        raise ValidationError({"customer_name": exc.messages})
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
                    customer=customer,
                    description=data["description"],
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
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


class ManageClaimDetailView(ManagerRequiredMixin, _ClaimDetailBase):
    """Review a claim: start review, approve in full or in part, reject with a reason, mark paid."""

    area = "manage"
    actions = {"review", "approve", "reject", "pay"}

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

    def post(self, request, pk):
        self.object = claim = self.get_object()
        action = request.POST.get("action")
        forms = {}
        try:
            if action == "review":
                claim_start_review(claim=claim, user=request.user)
                done = "Review started."
            elif action == "approve":
                form = forms["approve_form"] = ApproveForm(request.POST, claimed=claim.claimed_amount)
                if not form.is_valid():
                    raise ValidationError(form.errors.as_data())
                claim_approve(
                    claim=claim, user=request.user, amount=form.cleaned_data["amount"], note=form.cleaned_data["note"]
                )
                done = f"Approved: {claim.approved_amount} {claim.currency}."
            elif action == "reject":
                form = forms["reject_form"] = RejectForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors.as_data())
                claim_reject(claim=claim, user=request.user, reason=form.cleaned_data["reason"])
                done = "Claim rejected."
            elif action == "pay":
                claim_pay(claim=claim, user=request.user)
                done = "Marked as paid."
            else:
                messages.error(request, "Unknown action.")
                return redirect("warranty:manage_claim_detail", pk=claim.pk)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("warranty:manage_claim_detail", pk=claim.pk)
        except ValidationError as exc:
            form = forms.get("approve_form") or forms.get("reject_form")
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return redirect("warranty:manage_claim_detail", pk=claim.pk)
            if form.is_bound and not form.errors:
                _apply_errors(form, exc, default_field="amount" if action == "approve" else "reason")
            self.object = self.get_object()
            return self.render_to_response(self.get_context_data(**forms))
        messages.success(request, f"{claim.reference}: {done}")
        return redirect("warranty:manage_claim_detail", pk=claim.pk)
