"""Forms for partner admins managing their partner's users."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.validators import UnicodeUsernameValidator

from .models import Role

ROLE_CHOICES = [(Role.PARTNER_USER.value, "Partner user"), (Role.PARTNER_ADMIN.value, "Partner admin")]


class InviteUserForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(label="Email", help_text="The invitation with the set-password link is sent here.")
    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Used to log in: letters, digits and @ . + - _ only.",
    )
    title = forms.CharField(label="Job title", max_length=100, required=False)
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        initial=Role.PARTNER_USER.value,
        help_text="Partner admins can also manage users; partner users register deals, report inventory and claims.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class SiteURLPasswordResetForm(PasswordResetForm):
    """Django's reset form with links built from PRM_SITE_URL, never from the request's Host header.

    Django's form takes the domain and protocol of the request unless told otherwise; a forged Host
    header would then put an attacker's address in front of a valid reset token.
    """

    def save(self, **kwargs) -> None:
        site = urlsplit(settings.PRM_SITE_URL)
        kwargs["domain_override"] = site.netloc
        kwargs["use_https"] = site.scheme == "https"
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "site_url": settings.PRM_SITE_URL.rstrip("/"),
        }
        super().save(**kwargs)
