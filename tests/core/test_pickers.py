"""Pickers that search: the widget renders only what is chosen, the lookups answer through the visibility
rule in a constant number of queries, and a forged id is refused by the same scoped queryset."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_countries import countries

from core.widgets import SearchSelect, SearchSelectMultiple
from customers.models import Customer
from deals.models import DealRegistration
from integrations.models import WebhookEndpoint
from partners.models import Partner
from tests import factories as f
from warranty.models import WarrantyClaim

pytestmark = pytest.mark.usefixtures("shared_world")

OPTION = re.compile(r"<option[^>]*>")


def _options(html: str) -> list[str]:
    return OPTION.findall(html)


class PartnerPick(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.order_by("name"), required=False, widget=SearchSelect("lookup:partners")
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.all(), required=False, widget=SearchSelectMultiple("lookup:partners")
    )
    country = forms.ChoiceField(
        choices=[("", "Any"), *countries], required=False, widget=SearchSelect("lookup:countries")
    )


# --- the widget -----------------------------------------------------------------------------------------


def test_the_widget_renders_only_the_empty_and_the_chosen_options(world):
    many = [f.PartnerFactory(name=f"Picker Partner {n:02d}") for n in range(30)]
    blank = PartnerPick()
    html = str(blank["partner"])
    assert _options(html) == ['<option value="" selected>']
    assert 'data-search-url="/lookup/partners/"' in html and 'data-search-min="1"' in html
    assert len(_options(str(blank["country"]))) == 1 < len(countries)
    chosen = PartnerPick({"partner": str(many[7].pk), "partners": [many[3].pk, many[9].pk], "country": "FR"})
    html = str(chosen["partner"])
    assert len(_options(html)) == 2 and f'<option value="{many[7].pk}" selected>' in html
    assert "Picker Partner 07" in html and "Picker Partner 08" not in html
    multiple = str(chosen["partners"])
    assert len(_options(multiple)) == 2 and "Picker Partner 03" in multiple and "Picker Partner 09" in multiple
    country = str(chosen["country"])
    assert len(_options(country)) == 2 and '<option value="FR" selected>France</option>' in country


def test_the_chosen_option_costs_one_query_whatever_the_list(world):
    partners = [f.PartnerFactory(name=f"Counted Partner {n:02d}") for n in range(25)]
    for chosen in (partners[:1], partners[:5]):
        form = PartnerPick({"partners": [p.pk for p in chosen]})
        assert form.is_valid()  # a page validates first; rendering then adds one query
        with CaptureQueriesContext(connection) as queries:
            html = str(form["partners"])
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert len(_options(html)) == len(chosen)


def test_a_forged_or_malformed_value_renders_nothing_and_does_not_validate(world):
    form = PartnerPick({"partner": "not-a-number"})
    assert _options(str(form["partner"])) == ['<option value="">']
    assert not form.is_valid() and "partner" in form.errors


# --- the lookups ----------------------------------------------------------------------------------------


def _lookup(client, name: str, **params):
    response = client.get(reverse(f"lookup:{name}"), params)
    assert response.status_code == 200, response.content
    return response.json()


def _texts(answer: dict) -> list[str]:
    return [row["text"] for row in answer["results"]]


def test_lookups_are_for_signed_in_users_only(client, world):
    for name in ("products", "customers", "partners", "countries"):
        assert client.get(reverse(f"lookup:{name}"), {"q": "a"}).status_code == 403


def test_a_partner_finds_only_its_own_customers(client, world):
    mine = f.DealFactory(partner=world.partner_a, customer=f.CustomerFactory(name="Shared Word Alpha Buyer")).customer
    theirs = f.DealFactory(partner=world.partner_b, customer=f.CustomerFactory(name="Shared Word Bravo Buyer")).customer
    client.force_login(world.user_a)
    assert _texts(_lookup(client, "customers", q="shared word")) == [f"{mine.name} ({mine.domain})"]
    assert _lookup(client, "customers", q=theirs.domain)["results"] == []
    assert _lookup(client, "customers", q="")["results"] == [
        {"id": str(mine.pk), "text": f"{mine.name} ({mine.domain})"}
    ]
    client.force_login(world.user_b)
    assert _texts(_lookup(client, "customers", q="shared word")) == [f"{theirs.name} ({theirs.domain})"]
    # Everyone's lookup answers exactly what the visibility rule shows, for every role.
    for user in (world.manager, world.regional_manager, world.admin_a, world.distributor_admin):
        client.force_login(user)
        found = {int(row["id"]) for row in _lookup(client, "customers", q="shared word")["results"]}
        assert found == set(
            Customer.objects.visible_to(user).filter(name__icontains="shared word").values_list("pk", flat=True)
        )


def test_a_regional_managers_partner_lookup_stays_in_their_regions(client, world):
    f.PartnerFactory(name="Americas Distribution Co", partner_type="distributor", region=world.amer)
    client.force_login(world.regional_manager)
    assert _texts(_lookup(client, "partners", q="")) == ["Americas Distribution Co", "Bravo Networks"]
    assert _lookup(client, "partners", q="alpha")["results"] == []
    assert _texts(_lookup(client, "partners", q="", type="distributor")) == ["Americas Distribution Co"]
    client.force_login(world.manager)
    assert _texts(_lookup(client, "partners", q="distribution", type="distributor")) == [
        "Americas Distribution Co",
        "Delta Distribution",
    ]
    client.force_login(world.admin_a)
    assert _texts(_lookup(client, "partners", q="")) == ["Alpha Systems"]
    client.force_login(world.distributor_admin)  # a distributor reads the resellers it supplies
    assert _texts(_lookup(client, "partners", q="")) == ["Delta Distribution", "Echo Reseller"]


def test_the_product_lookup_searches_the_active_catalog(client, world):
    f.ProductFactory(sku="LK-SW-24", name="Lookup Switch 24")
    f.ProductFactory(sku="LK-SW-48", name="Lookup Switch 48")
    f.ProductFactory(sku="LK-OLD-1", name="Lookup Switch retired", is_active=False)
    client.force_login(world.user_a)
    assert _texts(_lookup(client, "products", q="lookup switch")) == [
        "LK-SW-24 — Lookup Switch 24",
        "LK-SW-48 — Lookup Switch 48",
    ]
    assert _texts(_lookup(client, "products", q="sw-48")) == ["LK-SW-48 — Lookup Switch 48"]
    assert len(_lookup(client, "products", q="lookup", inactive="1")["results"]) == 3


def test_the_country_lookup_matches_names_and_codes(client, world):
    client.force_login(world.user_a)
    assert {"id": "DE", "text": "Germany"} in _lookup(client, "countries", q="de")["results"]
    assert _lookup(client, "countries", q="germ")["results"] == [{"id": "DE", "text": "Germany"}]
    first = _lookup(client, "countries", q="")
    assert len(first["results"]) == 20 and first["more"] is True


def test_lookups_answer_at_most_twenty_rows_in_order_and_in_constant_queries(client, world):
    client.force_login(world.manager)
    counts = []
    for total in (3, 45):
        while Partner.objects.filter(name__startswith="Bulk ").count() < total:
            f.PartnerFactory(name=f"Bulk {Partner.objects.filter(name__startswith='Bulk ').count():03d}")
        with CaptureQueriesContext(connection) as queries:
            answer = _lookup(client, "partners", q="bulk")
        counts.append(len(queries))
        names = _texts(answer)
        assert names == sorted(Partner.objects.filter(name__startswith="Bulk ").values_list("name", flat=True))[:20]
        assert answer["more"] is (total > 20)
    assert counts[0] == counts[1]


# --- forged ids are refused by the same scoped queryset ------------------------------------------------


def _deal_data(product, **overrides):
    data = {
        "customer": "",
        "new_customer_name": "Forged Check GmbH",
        "new_customer_domain": "forged-check.example",
        "new_customer_country": "DE",
        "new_customer_industry": "manufacturing",
        "deal_type": "new",
        "currency": "EUR",
        "expected_close_date": (date.today() + timedelta(days=45)).isoformat(),
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-product": str(product.pk),
        "lines-0-quantity": "2",
        "lines-0-unit_price": "",
        "action": "submit",
    }
    data.update(overrides)
    return data


def test_a_forged_customer_id_on_the_deal_form_is_refused_clearly(client, world):
    product = f.ProductFactory()
    theirs = f.DealFactory(partner=world.partner_b, customer=f.CustomerFactory(name="Bravo Secret Buyer")).customer
    before = DealRegistration.objects.count()
    client.force_login(world.admin_a)
    response = client.post(reverse("deals:deal_create"), _deal_data(product, customer=str(theirs.pk)))
    assert response.status_code == 200
    assert response.context["form"].errors["customer"] == [
        "That is not one of your customers; pick one from the list or enter a new one."
    ]
    page = response.content.decode()
    assert "Bravo Secret Buyer" not in page and "not one of your customers" in page
    assert DealRegistration.objects.count() == before


def test_an_inactive_or_unknown_product_on_a_deal_line_is_refused(client, world):
    retired = f.ProductFactory(is_active=False)
    client.force_login(world.admin_a)
    for value in (str(retired.pk), "999999"):
        response = client.post(reverse("deals:deal_create"), _deal_data(retired, **{"lines-0-product": value}))
        assert response.status_code == 200
        assert response.context["formset"].forms[0].errors["product"] == ["Choose an active product from the catalog."]


def test_a_forged_customer_id_on_the_claim_form_is_refused_clearly(client, world):
    product, code = f.ProductFactory(), f.FailureCodeFactory()
    theirs = f.DealFactory(partner=world.partner_b, customer=f.CustomerFactory(name="Bravo Claim Buyer")).customer
    client.force_login(world.admin_a)
    data = {
        "product": product.pk,
        "serial_number": "SN-FORGED",
        "customer": theirs.pk,
        "customer_name": "",
        "purchase_date": (date.today() - timedelta(days=100)).isoformat(),
        "failure_date": (date.today() - timedelta(days=3)).isoformat(),
        "failure_code": code.pk,
        "description": "",
        "parts_amount": "10.00",
        "labour_amount": "5.00",
    }
    response = client.post(reverse("warranty:claim_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["customer"] == [
        "That is not one of your customers; pick one from the list or type a new name."
    ]
    assert "Bravo Claim Buyer" not in response.content.decode()
    assert not WarrantyClaim.objects.filter(serial_number="SN-FORGED").exists()


# --- the pages render the pickers, not the lists --------------------------------------------------------


def test_the_partner_list_filters_render_pickers_not_every_partner(client, world):
    for n in range(40):
        f.PartnerFactory(name=f"Listed Distributor {n:02d}", partner_type="distributor", region=world.emea)
    client.force_login(world.manager)
    page = client.get(reverse("dashboards:partner_list")).content.decode()
    distributor = re.search(r'<select name="parent"[^>]*>.*?</select>', page, re.S).group(0)
    assert 'data-search-url="/lookup/partners/?type=distributor"' in distributor
    assert _options(distributor) == ['<option value="" selected>']
    country = re.search(r'<select name="country"[^>]*>.*?</select>', page, re.S).group(0)
    assert 'data-search-url="/lookup/countries/"' in country and len(_options(country)) == 1
    chosen = Partner.objects.get(name="Listed Distributor 05")
    page = client.get(reverse("dashboards:partner_list"), {"parent": chosen.pk}).content.decode()
    distributor = re.search(r'<select name="parent"[^>]*>.*?</select>', page, re.S).group(0)
    assert len(_options(distributor)) == 2 and "Listed Distributor 05" in distributor


def test_the_deal_form_renders_product_and_customer_pickers(client, world):
    for n in range(60):
        f.ProductFactory(sku=f"DF-{n:03d}")
    f.DealFactory(partner=world.partner_a)
    client.force_login(world.admin_a)
    page = client.get(reverse("deals:deal_create")).content.decode()
    product = re.search(r'<select name="lines-0-product"[^>]*>.*?</select>', page, re.S).group(0)
    assert 'data-search-url="/lookup/products/"' in product and len(_options(product)) == 1
    template_row = re.search(r'<select name="lines-__prefix__-product"[^>]*>.*?</select>', page, re.S).group(0)
    assert len(_options(template_row)) == 1
    customer = re.search(r'<select name="customer"[^>]*>.*?</select>', page, re.S).group(0)
    assert 'data-search-url="/lookup/customers/"' in customer and len(_options(customer)) == 1
    assert "vendor/tom-select/tom-select.complete.min.js" in page and "js/pickers.js" in page


def test_a_regional_manager_cannot_scope_a_webhook_to_a_partner_outside_their_regions(client, world):
    client.force_login(world.regional_manager)
    data = {"url": "https://hooks.example/h", "events": ["deal.won"], "is_active": "on"}
    refused = client.post(reverse("integrations:webhook_create"), {**data, "partner": world.partner_a.pk})
    assert refused.status_code == 400
    assert "That is not a partner you can see; pick one from the list." in refused.content.decode()
    assert world.partner_a.name not in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()
    page = client.get(reverse("integrations:webhook_create")).content.decode()
    partner = re.search(r'<select name="partner"[^>]*>.*?</select>', page, re.S).group(0)
    assert 'data-search-url="/lookup/partners/"' in partner and len(_options(partner)) == 1


def test_a_filter_page_costs_the_same_queries_whatever_the_number_of_partners(client, world):
    """The partner list with a chosen distributor: one query names it, however many distributors exist."""
    client.force_login(world.manager)
    chosen = f.PartnerFactory(name="Counted Distribution", partner_type="distributor", region=world.emea)
    counts = []
    for total in (5, 40):
        while Partner.objects.filter(partner_type="distributor").count() < total:
            f.PartnerFactory(name=f"More Distribution {Partner.objects.count():03d}", partner_type="distributor")
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("dashboards:partner_list"), {"parent": chosen.pk, "country": "DE"})
        assert page.status_code == 200
        counts.append(len(queries))
        distributor = re.search(r'<select name="parent"[^>]*>.*?</select>', page.content.decode(), re.S).group(0)
        assert len(_options(distributor)) == 2
    assert counts[0] == counts[1]
