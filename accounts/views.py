"""Partner admins manage their own partner's users; invited users set their password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.generic import FormView, TemplateView

from core.exceptions import ServiceError
from core.lists import FilteredListView, ListColumn
from core.views import PartnerAdminRequiredMixin, ServiceActionView, add_service_errors

from .filtersets import PartnerUserFilterSet
from .forms import InviteUserForm, RoleForm, SiteURLPasswordResetForm
from .selectors import partner_user_list
from .services import partner_user_invite, partner_user_send_invitation, partner_user_set_active, partner_user_set_role


def _user_status(person) -> str:
    if not person.is_active:
        return "Deactivated"
    if not person.last_login and not person.has_usable_password():
        return "Invitation pending"
    return "Active"


class PartnerUserListView(PartnerAdminRequiredMixin, FilteredListView):
    """The admin's own partner's users (`partner_user_list`), filtered, sorted, paged and exported."""

    template_name = "accounts/user_list.html"
    context_object_name = "people"
    filterset_class = PartnerUserFilterSet
    paginate_by = 50
    ordering = ("-is_active", "last_name", "first_name", "username")
    sort_fields = {
        "name": "last_name",
        "username": "username",
        "email": "email",
        "role": "role",
        "status": "is_active",
        "last_login": "last_login",
    }
    export_columns = (
        ListColumn("First name", "first_name"),
        ListColumn("Last name", "last_name"),
        ListColumn("Title", "title"),
        ListColumn("Username", "username"),
        ListColumn("Email", "email"),
        ListColumn("Role", "get_role_display"),
        ListColumn("Status", _user_status),
        ListColumn("Last login", "last_login", "date"),
    )
    export_name = "users"

    def get_queryset(self):
        return partner_user_list(admin=self.request.user)


class PartnerUserInviteView(PartnerAdminRequiredMixin, FormView):
    template_name = "accounts/user_invite.html"
    form_class = InviteUserForm

    def form_valid(self, form):
        try:
            partner_user_invite(admin=self.request.user, site_url=settings.PRM_SITE_URL, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        # One message whether or not the address already had an account elsewhere (see partner_user_invite).
        messages.success(
            self.request,
            f"Invitation sent to {form.cleaned_data['email'].strip().lower()}: "
            "the email holds a one-time link to choose a password.",
        )
        return redirect("accounts:user_list")


class _PartnerUserActionView(PartnerAdminRequiredMixin, ServiceActionView):
    """POST-only; another partner's user answers 404, a refused change a message."""

    def get_queryset(self):
        return partner_user_list(admin=self.request.user)

    def get_success_url(self) -> str:
        return reverse("accounts:user_list")


class PartnerUserDeactivateView(_PartnerUserActionView):
    def act(self, person, data):
        partner_user_set_active(admin=self.request.user, user=person, active=False)
        return f"{person.username} is deactivated and can no longer log in."


class PartnerUserReactivateView(_PartnerUserActionView):
    def act(self, person, data):
        partner_user_set_active(admin=self.request.user, user=person, active=True)
        return f"{person.username} is active again."


class PartnerUserRoleView(_PartnerUserActionView):
    form_class = RoleForm

    def act(self, person, data):
        partner_user_set_role(admin=self.request.user, user=person, role=data["role"])
        return f"{person.username} is now a {person.get_role_display().lower()}."

    def invalid(self, person, form):
        messages.error(self.request, "Choose partner user or partner admin.")
        return redirect(self.get_success_url())


class PartnerUserResendView(_PartnerUserActionView):
    def act(self, person, data):
        partner_user_send_invitation(admin=self.request.user, user=person, site_url=settings.PRM_SITE_URL)
        return f"A new set-password link was sent to {person.email}."


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every signed-in user changes their own password (the current one is asked first)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email. The answer is the same whether or not the address has an account."""

    template_name = "accounts/password_reset.html"
    form_class = SiteURLPasswordResetForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """An invited user, or one who asked for a reset, chooses their password; the link works once."""

    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("accounts:set_password_done")
    post_reset_login = False


class SetPasswordDoneView(TemplateView):
    template_name = "accounts/set_password_done.html"


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None, credentials=None) -> HttpResponse:
    """The page django-axes answers (429) while a username or an address is locked out after failed log-ins."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "username": username[:150],
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)),
    }
    return render(request, "registration/locked_out.html", context, status=429)
