"""The API page of the web app: personal tokens for everyone with a role, webhooks for managers and partner admins.

One page serves both areas (/account/api/); the navigation shows the user's own area.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import View

from core.exceptions import ServiceError
from core.views import add_service_errors

from .forms import ApiTokenForm, WebhookEndpointForm
from .models import ApiToken, WebhookDelivery, WebhookEndpoint
from .tokens import api_token_create, api_token_revoke, may_use_api
from .webhooks import (
    may_change_endpoint,
    may_manage_webhooks,
    may_read_reply_bodies,
    require_endpoint_change,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_redeliver,
)

# Secrets shown once after a redirect (post/redirect/get): kept in the session by the POST that made
# them and taken out by the next GET of the page, so a reload neither repeats the action nor shows them again.
ONCE_API_CREDENTIAL = "integrations:new_token"
ONCE_SIGNING_ENDPOINT = "integrations:show_secret_of"


class ApiUserMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_use_api(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class WebhookManagerMixin(ApiUserMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_manage_webhooks(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_endpoint(self, pk: int) -> WebhookEndpoint:
        return get_object_or_404(WebhookEndpoint.objects.visible_to(self.request.user).select_related("partner"), pk=pk)


class ApiSettingsView(ApiUserMixin, View):
    """List and create tokens; a new token is shown once, on the page the creation redirects to.

    Its plaintext waits in the session only until that GET (never in the database, which keeps a digest).
    """

    template_name = "integrations/api_settings.html"

    def context(self, form: ApiTokenForm, new_token: str = "") -> dict:
        user = self.request.user
        endpoints = None
        if may_manage_webhooks(user):
            endpoints = WebhookEndpoint.objects.visible_to(user).select_related("partner")[:100]
        return {
            "form": form,
            "tokens": ApiToken.objects.visible_to(user),
            "new_token": new_token,
            "endpoints": endpoints,
            # The public address, never the request's Host header (which a client chooses).
            "api_base": settings.PRM_SITE_URL.rstrip("/") + "/api/v1/",
        }

    def get(self, request):
        new_token = request.session.pop(ONCE_API_CREDENTIAL, "")
        response = render(request, self.template_name, self.context(ApiTokenForm(), new_token))
        add_never_cache_headers(response)
        return response

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            days = form.cleaned_data["expires_in"]
            expires_at = timezone.now() + timedelta(days=int(days)) if days else None
            try:
                created = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    read_only=form.cleaned_data["read_only"],
                    expires_at=expires_at,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                request.session[ONCE_API_CREDENTIAL] = created.plaintext
                return redirect("integrations:api_settings")
        return render(request, self.template_name, self.context(form), status=400)


class ApiTokenRevokeView(ApiUserMixin, View):
    def post(self, request, pk: int):
        token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
        api_token_revoke(token=token, user=request.user)
        messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
        return redirect("integrations:api_settings")


class WebhookCreateView(WebhookManagerMixin, View):
    template_name = "integrations/webhook_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": WebhookEndpointForm(user=request.user)})

    def post(self, request):
        form = WebhookEndpointForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                endpoint = webhook_endpoint_create(
                    user=request.user,
                    url=data["url"],
                    events=data["events"],
                    partner=data.get("partner"),
                    description=data["description"],
                    is_active=data["is_active"],
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                request.session[ONCE_SIGNING_ENDPOINT] = endpoint.pk
                messages.success(request, f"Webhook endpoint {endpoint.url} registered.")
                return redirect("integrations:webhook_detail", pk=endpoint.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class WebhookDetailView(WebhookManagerMixin, View):
    """Settings, the delivery log (with redeliver) and the actions of one endpoint."""

    template_name = "integrations/webhook_detail.html"

    @staticmethod
    def detail_context(request, endpoint: WebhookEndpoint, show_secret: bool = False, form=None) -> dict:
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-pk")
        page = Paginator(deliveries, 25).get_page(request.GET.get("page"))
        initial = {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "is_active": endpoint.is_active,
        }
        return {
            "endpoint": endpoint,
            "show_secret": show_secret,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "deliveries": page.object_list,
            "show_reply_bodies": may_read_reply_bodies(request.user),
            "form": form or WebhookEndpointForm(initial=initial, user=request.user, editing=True),
            "may_change": may_change_endpoint(endpoint=endpoint, user=request.user),
        }

    def get(self, request, pk: int):
        endpoint = self.get_endpoint(pk)
        show_secret = request.session.get(ONCE_SIGNING_ENDPOINT) == endpoint.pk
        if show_secret:
            del request.session[ONCE_SIGNING_ENDPOINT]
        response = render(request, self.template_name, self.detail_context(request, endpoint, show_secret=show_secret))
        add_never_cache_headers(response)
        return response

    def post(self, request, pk: int):
        endpoint = self.get_endpoint(pk)
        try:
            require_endpoint_change(endpoint=endpoint, user=request.user)
        except ServiceError as exc:
            raise PermissionDenied(exc.message) from exc
        action = request.POST.get("action")
        if action == "delete":
            webhook_endpoint_delete(endpoint=endpoint, user=request.user)
            messages.success(request, f"Webhook endpoint {endpoint.url} deleted.")
            return redirect("integrations:api_settings")
        if action == "rotate":
            webhook_endpoint_rotate_secret(endpoint=endpoint, user=request.user)
            request.session[ONCE_SIGNING_ENDPOINT] = endpoint.pk
            return redirect("integrations:webhook_detail", pk=endpoint.pk)
        form = WebhookEndpointForm(request.POST, user=request.user, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                webhook_endpoint_update(
                    endpoint=endpoint,
                    user=request.user,
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                    is_active=data["is_active"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Webhook endpoint saved.")
                return redirect("integrations:webhook_detail", pk=endpoint.pk)
        return render(request, self.template_name, self.detail_context(request, endpoint, form=form), status=400)


class WebhookRedeliverView(WebhookManagerMixin, View):
    def post(self, request, pk: int, delivery_pk: int):
        endpoint = self.get_endpoint(pk)
        delivery = get_object_or_404(WebhookDelivery.objects.filter(endpoint=endpoint), pk=delivery_pk)
        try:
            copy = webhook_redeliver(delivery=delivery, user=request.user)
        except ServiceError as exc:
            raise PermissionDenied(exc.message) from exc
        messages.success(request, f"{delivery.event_type} queued again as delivery {copy.uuid}.")
        return redirect("integrations:webhook_detail", pk=endpoint.pk)
