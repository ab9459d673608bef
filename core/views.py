"""Shared view bases: every page that lists or shows partner data goes through these, and every page
that acts on one object through a service (`ServiceActionView`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views import View
from django.views.generic import RedirectView
from django.views.generic.detail import SingleObjectMixin

from .exceptions import ServiceError


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


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, *, fields: Mapping[str, str] | None = None, default: str | None = None
) -> None:
    """Show a service's ValidationError on a form, where the user typed the value.

    Each key's messages go under the form field of that name, or the one `fields` maps it to (e.g.
    `{"customer.name": "customer_name"}`); a key the form has no field for, and an error without keys,
    under `default` (None: above the form).
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(default, exc)
        return
    for key, errors in exc.error_dict.items():
        name = (fields or {}).get(key, key)
        form.add_error(name if name in form.fields else default, errors)


class ServiceActionMixin:
    """A POST that acts on one object through a service, the same way on every page.

    `act(obj, data)` calls the service with the object and the form's cleaned data (empty without a
    form) and returns the success message. A refusal (ServiceError) becomes an error message; bad
    input (a ValidationError, or a form that does not parse) shows the page again with the errors on
    the form (`invalid`), or as a message when there is no form. Then back to `get_success_url()`.
    """

    form_class: type[forms.BaseForm] | None = None
    auto_id = "id_%s"
    # Where a service error that names no field of the form is shown (None: above the form).
    error_field: str | None = None

    def get_action_object(self) -> Any:
        return self.get_object()

    def get_action_form_class(self) -> type[forms.BaseForm] | None:
        return self.form_class

    def get_action_form_kwargs(self) -> dict:
        return {"auto_id": self.auto_id}

    def act(self, obj: Any, data: dict) -> str:
        raise NotImplementedError

    def get_success_url(self) -> str:
        raise NotImplementedError

    def done(self, obj: Any) -> None:
        """After a success and its message: a page may add a notice of its own."""

    def invalid(self, obj: Any, form: forms.BaseForm) -> HttpResponse:
        """The page again with the form's errors; by default they are shown as a message on the next page."""
        for errors in form.errors.values():
            for error in errors:
                messages.error(self.request, error)
        return redirect(self.get_success_url())

    def post(self, request, *args, **kwargs) -> HttpResponse:
        obj = self.object = self.get_action_object()
        form_class = self.get_action_form_class()
        form = form_class(request.POST, **self.get_action_form_kwargs()) if form_class is not None else None
        if form is not None and not form.is_valid():
            return self.invalid(obj, form)
        try:
            text = self.act(obj, form.cleaned_data if form is not None else {})
        except ServiceError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
            else:
                add_service_errors(form, exc, default=self.error_field)
                return self.invalid(obj, form)
        else:
            if text:
                messages.success(request, text)
            self.done(obj)
        return redirect(self.get_success_url())


class ServiceActionView(ServiceActionMixin, SingleObjectMixin, View):
    """A POST-only page action on one object (approve, withdraw, deactivate, import, …): see ServiceActionMixin."""

    http_method_names = ["post"]


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the refusal in the site's layout, saying what to do (reload, allow cookies), not Django's
    bare page. Status 403 as Django's own."""
    return render(request, "403_csrf.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE}, status=403)
