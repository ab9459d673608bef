from __future__ import annotations

from django import forms

from core.events import EVENT_TYPES
from core.widgets import SearchSelect
from partners.models import Partner

EXPIRY_CHOICES = [("", "Never"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")]


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'ERP nightly sync'.")
    read_only = forms.BooleanField(required=False, label="Read-only", help_text="Can read but not change anything.")
    expires_in = forms.ChoiceField(choices=EXPIRY_CHOICES, required=False, label="Expires")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["class"] = "form-control"
        self.fields["read_only"].widget.attrs["class"] = "form-check-input"
        self.fields["expires_in"].widget.attrs["class"] = "form-select"


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https", help_text="We POST signed JSON here.")
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in EVENT_TYPES], widget=forms.CheckboxSelectMultiple, label="Events"
    )
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="All partners I can see",
        help_text="Managers may scope an endpoint to one partner.",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
        error_messages={"invalid_choice": "That is not a partner you can see; pick one from the list."},
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, user=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None or user.is_partner_member or editing:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = Partner.objects.visible_to(user).only("pk", "name")
        self.fields["events"].widget.attrs["class"] = "form-check-input"
        for name, field in self.fields.items():
            if name == "events":
                continue
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)
