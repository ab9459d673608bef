"""The partner admin's user list filters, shared by the page and its export."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from core.filters import PageFilterSet

from .models import Role, User

PARTNER_ROLES = [(role.value, role.label) for role in (Role.PARTNER_ADMIN, Role.PARTNER_USER)]


class PartnerUserFilterSet(PageFilterSet):
    q = django_filters.CharFilter(method="search", label="Name, username or email")
    role = django_filters.ChoiceFilter(choices=PARTNER_ROLES, empty_label="Any role")
    is_active = django_filters.BooleanFilter(
        label="Status", widget=forms.Select(choices=[("", "Any status"), ("true", "Active"), ("false", "Deactivated")])
    )

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(username__icontains=value)
            | Q(email__icontains=value)
        )
