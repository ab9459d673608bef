"""Every choice list of a filter or form offers only what the visibility rule lets the user see.

Partners, distributors, customers and users are partner data; regions, tiers, product lines, products,
failure codes and ticket categories are public reference data. The filter sets are found by walking every subclass of
django-filter's FilterSet once the URLconf has imported the views, so a new filter set is covered too.
"""

from __future__ import annotations

import django_filters
import pytest
from django.test import RequestFactory
from django.urls import get_resolver, reverse

from customers.models import Customer
from dashboards.forms import DashboardFilterForm
from deals.models import DealRegistration
from integrations.forms import WebhookEndpointForm
from partners.models import Partner, Region
from support.forms import TicketForm
from tests import factories as f
from warranty.forms import ClaimForm

pytestmark = pytest.mark.django_db

# Choice lists of reference data: the same for every signed-in user.
PUBLIC = {"Region", "Tier", "ProductLine", "Product", "FailureCode", "TicketCategory"}


def all_filtersets() -> list[type[django_filters.FilterSet]]:
    get_resolver().url_patterns  # noqa: B018 - importing the URLconf imports every view and its filter set
    found, todo = [], [django_filters.FilterSet]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            # A base without a model (core.filters.PageFilterSet) has no choices of its own.
            if sub._meta.model is not None and sub.__module__.split(".")[0] not in ("django_filters", "rest_framework"):
                found.append(sub)
    return found


def _choice_querysets(filterset) -> list:
    out = []
    for name, field in filterset.form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            out.append((name, queryset))
    return out


@pytest.mark.parametrize("who", ["regional_manager", "admin_a", "distributor_admin"])
def test_every_filter_choice_list_follows_the_visibility_rule(world, who):
    user = getattr(world, who)
    request = RequestFactory().get("/")
    request.user = user
    filtersets = all_filtersets()
    assert len(filtersets) >= 8
    checked = 0
    for filterset_class in filtersets:
        filterset = filterset_class(
            data={}, queryset=filterset_class._meta.model._default_manager.all(), request=request
        )
        for name, queryset in _choice_querysets(filterset):
            model = queryset.model
            if model.__name__ in PUBLIC:
                continue
            visible = set(model._default_manager.visible_to(user).values_list("pk", flat=True))
            offered = set(queryset.values_list("pk", flat=True))
            assert offered <= visible, (filterset_class.__name__, name, offered - visible)
            checked += 1
    assert checked >= 5


def test_the_partner_lists_distributor_filter_offers_only_visible_distributors(world, client):
    f.PartnerFactory(name="Zulu Americas Distribution", partner_type="distributor", region=world.amer)
    client.force_login(world.regional_manager)
    # The filter is a picker that searches the partner lookup, which offers only the visible distributors.
    page = client.get(reverse("dashboards:partner_list")).content.decode()
    assert 'data-search-url="/lookup/partners/?type=distributor"' in page
    offered = client.get(reverse("lookup:partners"), {"type": "distributor", "q": "distribution"}).json()
    assert [row["text"] for row in offered["results"]] == ["Zulu Americas Distribution"]
    assert world.distributor.name not in page  # Delta Distribution is in EMEA
    # Chosen, it is the one option the page renders; an out-of-scope one is refused, not shown.
    zulu = Partner.objects.get(name="Zulu Americas Distribution")
    assert (
        "Zulu Americas Distribution"
        in client.get(reverse("dashboards:partner_list"), {"parent": zulu.pk}).content.decode()
    )
    forged = client.get(reverse("dashboards:partner_list"), {"parent": world.distributor.pk}).content.decode()
    assert world.distributor.name not in forged
    # The same filter set serves the API: an out-of-scope distributor is not a valid choice there either.
    api = client.get("/api/v1/partners/", {"parent": world.distributor.pk})
    assert api.status_code == 400 and "parent" in api.json()["error"]["fields"]


def test_form_choice_lists_follow_the_visibility_rule(world):
    theirs = f.CustomerFactory(name="Bravo Only Customer")
    f.DealFactory(partner=world.partner_b, customer=theirs)
    mine = f.DealFactory(partner=world.partner_a).customer
    claim = ClaimForm(user=world.admin_a)
    assert set(claim.fields["customer"].queryset) == {mine}
    webhook = WebhookEndpointForm(user=world.regional_manager)
    assert set(webhook.fields["partner"].queryset) == set(Partner.objects.visible_to(world.regional_manager))
    dashboard = DashboardFilterForm(user=world.regional_manager)
    assert set(dashboard.fields["region"].queryset) == {world.amer}
    assert set(Region.objects.all()) > {world.amer}
    assert Customer.objects.visible_to(world.admin_a).filter(pk=theirs.pk).count() == 0
    # A ticket links only the partner's own claims and deals (a distributor's view of its resellers included).
    own_claim = f.WarrantyClaimFactory(partner=world.partner_a)
    f.WarrantyClaimFactory(partner=world.partner_b)
    resellers_deal = f.DealFactory(partner=world.reseller_of_distributor)
    ticket = TicketForm(user=world.admin_a)
    assert set(ticket.fields["customer"].queryset) == {mine, own_claim.customer}
    assert set(ticket.fields["warranty_claim"].queryset) == {own_claim}
    assert set(ticket.fields["deal"].queryset) == set(DealRegistration.objects.filter(partner=world.partner_a))
    assert resellers_deal not in TicketForm(user=world.distributor_admin).fields["deal"].queryset
