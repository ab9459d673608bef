"""The partner portal's home page: what needs the partner's attention now."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from core.views import PartnerMemberRequiredMixin
from currencies.selectors import converted_total
from deals.models import DealRegistration, DealStatus
from deals.selectors import deals_expiring_soon, portal_deal_counts
from inventory.selectors import inventory_last_report_date
from notifications.models import Notification
from partners.models import Partner
from warranty.selectors import claims_awaiting_payment

EXPIRING_WITHIN_DAYS = 14
SHOWN = 5


def _link(name: str, label: str) -> dict | None:
    """A quick link, left out if that page is not installed."""
    try:
        return {"url": reverse(name), "label": label}
    except NoReverseMatch:
        return None


class PortalHomeView(PartnerMemberRequiredMixin, TemplateView):
    """Deals awaiting a decision, protection ending within 14 days, claims awaiting payment,
    the last inventory report and unread notifications — each a fixed number of queries."""

    template_name = "partners/portal_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        context["partner"] = (
            Partner.objects.visible_to(user)
            .select_related("tier", "region", "parent", "program")
            .get(pk=user.partner_id)
        )
        counts = portal_deal_counts(user=user)
        own_deals = DealRegistration.objects.editable_by(user).select_related("customer")
        context["deal_counts"] = counts
        context["awaiting"] = list(own_deals.filter(status=DealStatus.SUBMITTED).order_by("submitted_at", "pk")[:SHOWN])
        context["awaiting_count"] = counts.get(DealStatus.SUBMITTED, 0)
        context["drafts"] = list(own_deals.filter(status=DealStatus.DRAFT).order_by("-updated_at")[:SHOWN])
        context["draft_count"] = counts.get(DealStatus.DRAFT, 0)
        expiring = deals_expiring_soon(user=user, now=now, days=EXPIRING_WITHIN_DAYS)
        context["expiring"] = list(expiring[:SHOWN])
        context["expiring_count"] = expiring.count()
        context["expiring_days"] = EXPIRING_WITHIN_DAYS
        claims = claims_awaiting_payment(user=user)
        context["claims_awaiting_payment"] = list(claims[:SHOWN])
        context["claims_summary"] = {"n": claims.count()}
        # Claims keep their currency; the total converts each at its decision date's rate (none: listed apart).
        context["claims_total"] = converted_total(
            (amount, currency, (decided or now).date())
            for amount, currency, decided in claims.values_list("approved_amount", "currency", "decided_at")
        )
        context["last_inventory_date"] = inventory_last_report_date(user=user)
        unread = Notification.objects.visible_to(user).unread()
        context["unread_notifications_list"] = list(unread[:SHOWN])
        context["quick_links"] = [
            link
            for link in (
                _link("deals:deal_create", "Register a deal"),
                _link("inventory:inventory_report", "Report inventory"),
                _link("inventory:inventory_upload", "Upload an inventory CSV"),
                _link("warranty:claim_create", "File a warranty claim"),
            )
            if link
        ]
        context["claims_url"] = _link("warranty:claim_list", "Warranty claims")
        context["inventory_url"] = _link("inventory:inventory_list", "Inventory")
        return context
