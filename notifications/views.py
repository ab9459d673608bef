"""The user's notification list: read, open, mark read (one or all)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from core.lists import FilteredListView, ListColumn

from .filtersets import NotificationFilterSet
from .models import Notification
from .services import notification_mark_read


class NotificationListView(LoginRequiredMixin, FilteredListView):
    """Newest first; `?unread=1` shows only the unread ones.

    After marking the last unread item of a page read, that page may be gone: the list shows its last
    page instead (core.lists).
    """

    template_name = "notifications/notification_list.html"
    filterset_class = NotificationFilterSet
    paginate_by = 25
    context_object_name = "notifications"
    ordering = ("-created_at", "-pk")
    sort_fields = {"created": "created_at", "title": "title"}
    export_columns = (
        ListColumn("Created", "created_at", "date"),
        ListColumn("Title", "title"),
        ListColumn("Text", "body"),
        ListColumn("Kind", "verb"),
        ListColumn("Read", "read_at", "date"),
    )
    export_name = "notifications"

    def unread_only(self) -> bool:
        return self.request.GET.get("unread") in ("1", "true")

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_only"] = self.unread_only()
        return context


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "notifications:list"


class NotificationMarkReadView(LoginRequiredMixin, View):
    def post(self, request, pk):
        notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
        notification_mark_read(user=request.user, notification_ids=[notification.pk])
        return redirect(_back(request))


class NotificationMarkAllReadView(LoginRequiredMixin, View):
    def post(self, request):
        count = notification_mark_read(user=request.user)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
        return redirect(_back(request))


class NotificationOpenView(LoginRequiredMixin, View):
    """Follow a notification's link and mark it read; a link to another site is never followed."""

    def get(self, request, pk):
        notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
        notification_mark_read(user=request.user, notification_ids=[notification.pk])
        url = notification.url
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
            return redirect(url)
        return redirect("notifications:list")
