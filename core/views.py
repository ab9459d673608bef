"""Shared view bases: every page that lists or shows partner data goes through these."""

from __future__ import annotations

from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views import View
from django.views.generic import RedirectView


class VisibleQuerysetMixin(LoginRequiredMixin):
    """Restricts `get_queryset()` to the one visibility rule of the model.

    Subclasses declare `model` (or `queryset`); a lookup of an object outside
    the user's visibility answers 404, exactly as a missing one.
    """

    model = None
    queryset: QuerySet | None = None

    def get_base_queryset(self) -> QuerySet:
        if self.queryset is not None:
            return self.queryset.all()
        return self.model._default_manager.all()

    def get_queryset(self) -> QuerySet:
        return self.get_base_queryset().visible_to(self.request.user)


class ManagerRequiredMixin(AccessMixin):
    """Only channel managers (and superusers) reach `/manage/` pages."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not (request.user.is_superuser or request.user.is_channel_manager):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class PartnerMemberRequiredMixin(AccessMixin):
    """Only users who belong to a partner reach `/portal/` pages."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.is_partner_member:
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class PartnerAdminRequiredMixin(PartnerMemberRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_partner_member and not request.user.is_partner_admin:
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class HomeView(LoginRequiredMixin, View):
    """Send each role to its own start page."""

    def get(self, request):
        if request.user.is_partner_member:
            return redirect("portal_home")
        if request.user.is_channel_manager or request.user.is_superuser:
            return redirect("manage_home")
        return redirect("no_role")


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on pages without an icon link, redirects to the site's icon."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")  # at request time: the hashed name exists only after collectstatic
