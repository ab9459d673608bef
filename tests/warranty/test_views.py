"""Warranty pages: filing with flags shown at once, lists and history, the review queue and decisions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.workflow import REJECTION_REASON_NEEDED
from customers.models import Customer
from tests import factories as f
from warranty.models import ClaimStatus, WarrantyClaim
from warranty.services import claim_approve

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def _form(product, failure_code, **overrides):
    data = {
        "product": product.pk,
        "serial_number": "SN-42",
        "customer": "",
        "customer_name": "",
        "purchase_date": (date.today() - timedelta(days=100)).isoformat(),
        "failure_date": (date.today() - timedelta(days=2)).isoformat(),
        "failure_code": failure_code.pk,
        "description": "Fan noise",
        "parts_amount": "100.00",
        "labour_amount": "25.00",
    }
    data.update(overrides)
    return data


# --- who may open which page ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["claim_list", "claim_create"])
def test_portal_pages_are_for_partner_members(client, world, name):
    url = reverse(f"warranty:{name}")
    client.force_login(world.user_a)
    assert client.get(url).status_code == 200
    client.force_login(world.manager)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_manage_pages_are_for_managers(client, world, file_claim):
    claim = file_claim()
    for url in (reverse("warranty:manage_claim_list"), reverse("warranty:manage_claim_detail", args=[claim.pk])):
        client.force_login(world.admin_a)
        assert client.get(url).status_code == 403
        assert client.post(url, {"action": "approve"}).status_code == 403
        client.force_login(world.manager)
        assert client.get(url).status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_another_partners_claim_is_not_found(client, world, file_claim):
    claim = file_claim()
    client.force_login(world.user_b)
    assert client.get(reverse("warranty:claim_detail", args=[claim.pk])).status_code == 404
    assert list(client.get(reverse("warranty:claim_list")).context["object_list"]) == []
    client.force_login(world.distributor_admin)  # claims are not shared with a distributor
    assert client.get(reverse("warranty:claim_detail", args=[claim.pk])).status_code == 404


def test_regional_manager_sees_only_their_region(client, world, file_claim, product, failure_code):
    claim_a = file_claim()
    claim_b = file_claim(partner=world.partner_b, user=world.user_b, serial_number="SN-B")
    client.force_login(world.regional_manager)
    assert list(client.get(reverse("warranty:manage_claim_list")).context["object_list"]) == [claim_b]
    assert client.get(reverse("warranty:manage_claim_detail", args=[claim_a.pk])).status_code == 404
    response = client.post(reverse("warranty:manage_claim_detail", args=[claim_a.pk]), {"action": "approve"})
    assert response.status_code == 404
    claim_a.refresh_from_db()
    assert claim_a.status == ClaimStatus.SUBMITTED


# --- filing ------------------------------------------------------------------------------------------


def test_filing_shows_the_flags_at_once(client, world, product, failure_code, file_claim):
    file_claim(serial_number="SN-42", partner=world.partner_b, user=world.user_b)  # another partner, 0 days ago
    client.force_login(world.user_a)
    data = _form(product, failure_code, purchase_date=(date.today() - timedelta(days=500)).isoformat())
    response = client.post(reverse("warranty:claim_create"), data, follow=True)
    claim = WarrantyClaim.objects.get(partner=world.partner_a)
    assert response.redirect_chain[-1][0] == reverse("warranty:claim_detail", args=[claim.pk])
    html = response.content.decode()
    assert f"Claim {claim.reference} filed" in html
    assert "Out of warranty:" in html and "Possible duplicate:" in html
    other = WarrantyClaim.objects.get(partner=world.partner_b)
    assert other.reference not in html  # the other partner's claim is not revealed
    assert claim.claimed_amount == Decimal("125.00")


def test_filing_with_a_new_customer_name_creates_or_matches_the_customer(client, world, product, failure_code):
    """A typed name matches the partner's own customers only; another partner's record is never reused."""
    existing = f.DealFactory(partner=world.partner_a, customer=f.CustomerFactory(name="Acme GmbH")).customer
    elsewhere = f.DealFactory(partner=world.partner_b, customer=f.CustomerFactory(name="Zeta Ltd")).customer
    client.force_login(world.user_a)
    client.post(reverse("warranty:claim_create"), _form(product, failure_code, customer_name="ACME"))
    client.post(
        reverse("warranty:claim_create"), _form(product, failure_code, serial_number="SN-43", customer_name="Zeta Ltd")
    )
    claims = WarrantyClaim.objects.order_by("pk")
    assert claims[0].customer == existing
    assert claims[1].customer.name == "Zeta Ltd" and claims[1].customer != elsewhere
    assert Customer.objects.count() == 3


def test_filing_picks_from_the_partners_customers(client, world, product, failure_code, file_claim):
    mine = file_claim(customer=f.CustomerFactory(name="Mine AG")).customer
    theirs = file_claim(
        partner=world.partner_b, user=world.user_b, serial_number="SN-B", customer=f.CustomerFactory(name="Theirs")
    ).customer
    client.force_login(world.user_a)
    form = client.get(reverse("warranty:claim_create")).context["form"]
    assert list(form.fields["customer"].queryset) == [mine]
    response = client.post(reverse("warranty:claim_create"), _form(product, failure_code, customer=theirs.pk))
    assert "That is not one of your customers" in response.content.decode()
    client.post(reverse("warranty:claim_create"), _form(product, failure_code, customer=mine.pk, serial_number="X9"))
    assert WarrantyClaim.objects.get(serial_number="X9").customer == mine


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"failure_date": (date.today() - timedelta(days=200)).isoformat()}, "cannot be before the purchase date"),
        ({"failure_date": (date.today() + timedelta(days=2)).isoformat()}, "cannot be in the future"),
        ({"parts_amount": "-3"}, "greater than or equal to 0"),
        ({"parts_amount": "0", "labour_amount": "0"}, "Enter the parts or labour amount claimed"),
        ({"serial_number": ""}, "This field is required"),
        ({"customer_name": "Both"}, "not both"),
    ],
)
def test_filing_errors_are_shown_by_field_and_keep_the_input(
    client, world, product, failure_code, file_claim, overrides, message
):
    if "customer_name" in overrides:
        overrides["customer"] = file_claim(customer=f.CustomerFactory()).customer_id
    client.force_login(world.user_a)
    before = WarrantyClaim.objects.count()
    response = client.post(reverse("warranty:claim_create"), _form(product, failure_code, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'value="Fan noise"' not in html  # the textarea keeps its content as text
    assert "Fan noise</textarea>" in html
    assert WarrantyClaim.objects.count() == before


def test_inactive_failure_codes_are_not_offered(client, world, failure_code):
    f.FailureCodeFactory(code="OLD", is_active=False)
    client.force_login(world.user_a)
    form = client.get(reverse("warranty:claim_create")).context["form"]
    assert list(form.fields["failure_code"].queryset) == [failure_code]


# --- lists -------------------------------------------------------------------------------------------


def test_portal_list_filters_by_status_and_flag(client, world, file_claim):
    flagged = file_claim(purchase_date=date.today() - timedelta(days=900))
    approved = claim_approve(claim=file_claim(serial_number="OTHER"), user=world.manager)
    client.force_login(world.user_a)
    url = reverse("warranty:claim_list")
    assert list(client.get(url, {"out_of_warranty": "true"}).context["object_list"]) == [flagged]
    assert list(client.get(url, {"status": "approved"}).context["object_list"]) == [approved]
    assert list(client.get(url, {"q": flagged.reference}).context["object_list"]) == [flagged]


def test_queue_shows_open_claims_oldest_first_with_filters(client, world, file_claim, failure_code):
    first = file_claim(serial_number="A1")
    second = file_claim(serial_number="A2", failure_code=f.FailureCodeFactory(code="FAN"))
    WarrantyClaim.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    claim_approve(claim=file_claim(serial_number="A3"), user=world.manager)
    third = file_claim(partner=world.partner_b, user=world.user_b, serial_number="A1")  # duplicate
    client.force_login(world.manager)
    url = reverse("warranty:manage_claim_list")
    page = client.get(url)
    assert list(page.context["object_list"]) == [first, second, third]
    assert "Possible duplicate" in page.content.decode()
    assert list(client.get(url, {"partner": world.partner_b.pk}).context["object_list"]) == [third]
    assert list(client.get(url, {"failure_code": failure_code.pk, "status": "open"}).context["object_list"]) == [
        first,
        third,
    ]
    assert list(client.get(url, {"is_duplicate": "true"}).context["object_list"]) == [third]
    assert len(client.get(url, {"status": ""}).context["object_list"]) == 4  # any status


@pytest.mark.parametrize(("username", "url_name"), [("user_a", "claim_list"), ("manager", "manage_claim_list")])
def test_list_pages_keep_a_constant_query_count(
    client, world, file_claim, django_assert_max_num_queries, username, url_name
):
    for i in range(3):
        file_claim(serial_number=f"S{i}", customer=f.CustomerFactory())
    client.force_login(getattr(world, username))
    url = reverse(f"warranty:{url_name}")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(60):
        file_claim(serial_number=f"T{i}", customer=f.CustomerFactory(), product=f.ProductFactory())
    with django_assert_max_num_queries(len(few)):
        page = client.get(url)
    assert len(page.context["object_list"]) == 50


def test_empty_lists_explain_themselves(client, world):
    client.force_login(world.user_a)
    assert "You have not filed any warranty claims yet" in client.get(reverse("warranty:claim_list")).content.decode()
    client.force_login(world.manager)
    assert "nothing is waiting for review" in client.get(reverse("warranty:manage_claim_list")).content.decode()


# --- decisions on the manage page --------------------------------------------------------------------


def _act(client, claim, **data):
    return client.post(reverse("warranty:manage_claim_detail", args=[claim.pk]), data, follow=True)


def test_manager_reviews_approves_in_part_and_pays(client, world, file_claim):
    claim = file_claim()
    client.force_login(world.manager)
    assert "Review started" in _act(client, claim, action="review").content.decode()
    html = _act(client, claim, action="approve", amount="60.00", note="Labour capped").content.decode()
    assert "Approved: 60.00 USD" in html
    html = _act(client, claim, action="pay").content.decode()
    assert "Marked as paid" in html and "Nothing left to decide" in html
    claim.refresh_from_db()
    assert (claim.status, claim.approved_amount) == (ClaimStatus.PAID, Decimal("60.00"))
    history = list(claim.events.values_list("to_status", flat=True))
    assert history == ["submitted", "under_review", "approved", "paid"]


def test_approve_more_than_claimed_is_refused_on_the_page(client, world, file_claim):
    claim = file_claim()
    client.force_login(world.manager)
    response = _act(client, claim, action="approve", amount="999.00", note="typo")
    html = response.content.decode()
    assert response.status_code == 200 and "cannot exceed the 125.00 claimed" not in html  # claimed is 200.50 here
    assert "cannot exceed the 200.50 claimed" in html and 'value="999.00"' in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_reject_without_reason_shows_a_field_error_then_with_reason_works(client, world, file_claim):
    claim = file_claim()
    client.force_login(world.manager)
    for blank in ("", "  "):
        response = _act(client, claim, action="reject", reason=blank)
        html = response.content.decode()
        # The rule every rejection follows (core.workflow.required_reason), under the reason field.
        assert response.status_code == 200 and "This field is required" not in html
        assert REJECTION_REASON_NEEDED in html.split('aria-label="Reject"')[1].split("</form>")[0]
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.SUBMITTED
    html = _act(client, claim, action="reject", reason="Water damage").content.decode()
    assert "Claim rejected" in html and "Water damage" in html
    client.force_login(world.user_a)
    assert "Water damage" in client.get(reverse("warranty:claim_detail", args=[claim.pk])).content.decode()


def test_forbidden_transition_on_the_page_is_a_clear_message(client, world, file_claim):
    claim = file_claim()
    client.force_login(world.manager)
    html = _act(client, claim, action="pay").content.decode()
    assert "is submitted, so it cannot be marked paid" in html  # the toolkit's wording, as for deals
    assert "Unknown action" in _act(client, claim, action="explode").content.decode()


def test_detail_shows_history_and_the_duplicate_link_for_managers(client, world, file_claim):
    first = file_claim(partner=world.partner_b, user=world.user_b)
    claim = file_claim()
    client.force_login(world.manager)
    html = client.get(reverse("warranty:manage_claim_detail", args=[claim.pk])).content.decode()
    assert first.reference in html and "Filed; flagged: possible duplicate" in html
    client.force_login(world.user_a)
    html = client.get(reverse("warranty:claim_detail", args=[claim.pk])).content.decode()
    assert "Possible duplicate:" in html and first.reference not in html


def test_a_bad_new_customer_name_is_shown_under_that_field(client, world, product, failure_code):
    client.force_login(world.user_a)
    response = client.post(reverse("warranty:claim_create"), _form(product, failure_code, customer_name="!!!"))
    assert response.status_code == 200
    assert response.context["form"].errors["customer_name"] == ["The name needs at least one letter or digit."]
    assert not WarrantyClaim.objects.exists()
