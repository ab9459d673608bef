"""Partner admins manage their own partner's users; invited users set their password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.views.generic import FormView, ListView, TemplateView

from core.exceptions import ServiceError
from core.views import PartnerAdminRequiredMixin, ServiceActionView, add_service_errors

from .forms import InviteUserForm, RoleForm
from .selectors import partner_user_list
from .services import partner_user_invite, partner_user_send_invitation, partner_user_set_active, partner_user_set_role


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


class PartnerUserListView(PartnerAdminRequiredMixin, ListView):
    template_name = "accounts/user_list.html"
    context_object_name = "people"
    paginate_by = 50

    def get_queryset(self):
        return partner_user_list(admin=self.request.user)


class PartnerUserInviteView(PartnerAdminRequiredMixin, FormView):
    template_name = "accounts/user_invite.html"
    form_class = InviteUserForm

    def form_valid(self, form):
        try:
            user = partner_user_invite(admin=self.request.user, site_url=_site_url(self.request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{user.username} added. An email with a link to choose a password was sent to {user.email}.",
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
        partner_user_send_invitation(admin=self.request.user, user=person, site_url=_site_url(self.request))
        return f"A new set-password link was sent to {person.email}."


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """An invited user (or one whose link was resent) chooses their password; the link works once."""

    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("accounts:set_password_done")
    post_reset_login = False


class SetPasswordDoneView(TemplateView):
    template_name = "accounts/set_password_done.html"
