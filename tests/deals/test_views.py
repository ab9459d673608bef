"""Deal pages: who may open what, registering through the form, actions, neutral conflict notice."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from deals.models import DealRegistration, DealStatus
from deals.services import deal_reject
from tests import factories as f
from tests.deals.conftest import approved, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

PORTAL_PAGES = ["deals:deal_list", "deals:deal_create", "portal_home"]
MANAGE_PAGES = ["deals:manage_deal_list", "deals:manage_queue"]


def _form_data(products, **overrides):
    data = {
        "customer": "",
        "new_customer_name": "Acme Robotics GmbH",
        "new_customer_domain": "www.acme-robotics.de",
        "new_customer_country": "DE",
        "new_customer_industry": "manufacturing",
        "deal_type": "new",
        "currency": "EUR",
        "expected_close_date": (date.today() + timedelta(days=45)).isoformat(),
        "notes": "Two sites",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-product": str(products[0].pk),
        "lines-0-quantity": "3",
        "lines-0-unit_price": "250.00",
        "lines-1-product": "",
        "lines-1-quantity": "",
        "lines-1-unit_price": "",
        "action": "submit",
    }
    data.update(overrides)
    return data


# --- permission matrix -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_portal_pages_are_for_partner_members(client, world, name):
    url = reverse(name)
    assert client.get(url).status_code == 302
    client.force_login(world.user_a)
    assert client.get(url).status_code == 200
    client.force_login(world.manager)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_manage_pages_are_for_managers(client, world, name):
    url = reverse(name)
    client.force_login(world.admin_a)
    assert client.get(url).status_code == 403
    client.force_login(world.regional_manager)
    assert client.get(url).status_code == 200


def test_another_partners_deal_answers_404_everywhere(client, world, products):
    deal = register(world.user_b, products=products[:1], submit=False)
    client.force_login(world.user_a)
    assert client.get(reverse("deals:deal_detail", args=[deal.pk])).status_code == 404
    assert client.get(reverse("deals:deal_edit", args=[deal.pk])).status_code == 404
    for name in ("deal_submit", "deal_withdraw", "deal_request_extension", "deal_close"):
        assert client.post(reverse(f"deals:{name}", args=[deal.pk])).status_code == 404
    deal.refresh_from_db()
    assert deal.status == DealStatus.DRAFT


def test_partner_user_cannot_open_manage_deal_pages(client, world, products):
    deal = register(world.user_a, products=products[:1])
    client.force_login(world.user_a)
    for name in ("manage_deal_detail", "manage_deal_conflicts"):
        assert client.get(reverse(f"deals:{name}", args=[deal.pk])).status_code == 403
    assert client.post(reverse("deals:manage_deal_approve", args=[deal.pk])).status_code == 403
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


def test_regional_manager_sees_only_their_region(client, world, products):
    mine = register(world.user_b, products=products[:1])
    other = register(world.user_a, products=products[:1])
    client.force_login(world.regional_manager)
    queue = client.get(reverse("deals:manage_queue"))
    assert list(queue.context["object_list"]) == [mine]
    assert client.get(reverse("deals:manage_deal_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("deals:manage_deal_approve", args=[other.pk])).status_code == 404


def test_distributor_reads_reseller_deals_without_actions(client, world, products):
    reseller_user = f.PartnerUserFactory(partner=world.reseller_of_distributor)
    deal = register(reseller_user, products=products[:1])
    client.force_login(world.distributor_admin)
    listing = client.get(reverse("deals:deal_list"))
    assert deal in listing.context["object_list"] and listing.context["show_partner"]
    page = client.get(reverse("deals:deal_detail", args=[deal.pk]))
    assert page.status_code == 200 and not page.context["can_act"]
    assert "Withdraw this registration" not in page.content.decode()
    response = client.post(reverse("deals:deal_withdraw", args=[deal.pk]), follow=True)
    assert "read-only" in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


# --- registering -------------------------------------------------------------------------------


def test_register_with_a_new_customer_and_submit(client, world, products):
    client.force_login(world.user_a)
    response = client.post(reverse("deals:deal_create"), _form_data(products))
    deal = DealRegistration.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("deals:deal_detail", args=[deal.pk])
    assert deal.status == DealStatus.SUBMITTED and deal.currency == "EUR" and deal.amount == Decimal("750.00")
    assert deal.customer.domain == "acme-robotics.de" and deal.customer.normalised_name == "acme robotics"


def test_save_as_draft_and_pick_an_existing_customer(client, world, products):
    existing = register(world.user_a, products=products[:1]).customer
    client.force_login(world.user_a)
    data = _form_data(products, customer=str(existing.pk), new_customer_name="", action="draft")
    data["lines-0-unit_price"] = ""  # the list price is used
    client.post(reverse("deals:deal_create"), data)
    draft = DealRegistration.objects.get(status=DealStatus.DRAFT)
    assert draft.customer == existing and draft.amount == 3 * products[0].list_price


def test_form_errors_keep_what_was_typed(client, world, products):
    client.force_login(world.user_a)
    data = _form_data(products, new_customer_name="", new_customer_domain="not a domain", notes="Keep me")
    data["lines-0-quantity"] = "0"
    response = client.post(reverse("deals:deal_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose an existing customer or enter the new customer" in html
    assert "is not a web domain" in html
    assert "Keep me" in html and 'value="not a domain"' in html
    assert response.context["formset"].forms[0].errors["quantity"]
    assert not DealRegistration.objects.exists()


def test_registering_without_lines_says_so(client, world, products):
    client.force_login(world.user_a)
    data = _form_data(products)
    data["lines-0-product"] = data["lines-0-quantity"] = data["lines-0-unit_price"] = ""
    response = client.post(reverse("deals:deal_create"), data)
    assert "Add at least one product line." in response.content.decode()


def test_a_partner_cannot_pick_another_partners_customer_by_id(client, world, products):
    other = f.CustomerFactory(name="Someone else's")
    register(world.user_b, customer=other, products=products[:1])
    client.force_login(world.user_a)
    response = client.post(reverse("deals:deal_create"), _form_data(products, customer=str(other.pk)))
    assert response.status_code == 200 and response.context["form"].errors["customer"]


def test_edit_draft_then_submit(client, world, products):
    draft = register(world.user_a, products=products[:1], submit=False)
    client.force_login(world.user_a)
    page = client.get(reverse("deals:deal_edit", args=[draft.pk]))
    assert page.context["form"].initial["customer"] == draft.customer_id
    data = _form_data(products, customer=str(draft.customer_id), new_customer_name="", action="submit")
    data["lines-0-product"] = str(products[2].pk)
    assert client.post(reverse("deals:deal_edit", args=[draft.pk]), data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == DealStatus.SUBMITTED and draft.lines.get().product == products[2]
    # A submitted deal can no longer be edited.
    response = client.get(reverse("deals:deal_edit", args=[draft.pk]), follow=True)
    assert "no longer a draft" in response.content.decode()


# --- conflict notice ---------------------------------------------------------------------------


def test_conflicting_registration_shows_a_neutral_notice_only(client, world, products):
    other = register(world.user_b, customer=f.CustomerFactory(name="Tyrell Corp"), products=products[:1])
    client.force_login(world.user_a)
    data = _form_data(products, new_customer_name="Tyrell Corporation", new_customer_domain="")
    response = client.post(reverse("deals:deal_create"), data, follow=True)
    html = response.content.decode()
    assert "An overlapping registration for this customer already exists" in html
    assert 'id="conflict-notice"' in html
    for secret in (world.partner_b.name, other.reference, "user_b", "Bravo"):
        assert secret not in html
    for page in (reverse("deals:deal_list"), reverse("portal_home"), reverse("notifications:list")):
        html = client.get(page).content.decode()
        assert world.partner_b.name not in html and other.reference not in html


def test_manager_sees_both_partners_side_by_side_and_approves_one(client, world, products):
    customer = f.CustomerFactory(name="Oscorp")
    first = register(world.user_b, customer=customer, products=products[:1])
    second = register(world.user_a, customer=customer, products=products[:1])
    client.force_login(world.manager)
    queue = client.get(reverse("deals:manage_queue"), {"has_conflict": "true"})
    assert set(queue.context["object_list"]) == {first, second}
    page = client.get(reverse("deals:manage_deal_conflicts", args=[second.pk]))
    html = page.content.decode()
    assert world.partner_a.name in html and world.partner_b.name in html
    assert [d.pk for d in page.context["columns"]] == [second.pk, first.pk]
    back = reverse("deals:manage_deal_conflicts", args=[second.pk])
    response = client.post(reverse("deals:manage_deal_approve", args=[first.pk]), {"note": "", "next": back})
    assert response["Location"] == back
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == DealStatus.APPROVED and second.status == DealStatus.SUBMITTED


def _conflict_notice(response) -> str:
    """The text of the page's conflict notice (the history below it keeps its own notes)."""
    match = re.search(r'id="conflict-notice">(.*?)</div>', response.content.decode(), re.S)
    assert match, "no conflict notice on the page"
    return match.group(1)


def test_the_conflict_notice_follows_the_decision_on_each_side(client, world, products):
    customer = f.CustomerFactory(name="Cyberdyne Systems")
    first = register(world.user_b, customer=customer, products=products[:1])
    second = register(world.user_a, customer=customer, products=products[:1])
    client.force_login(world.manager)
    client.post(reverse("deals:manage_deal_approve", args=[first.pk]), {"note": ""})
    client.post(reverse("deals:manage_deal_reject", args=[second.pk]), {"reason": "Registered first elsewhere."})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (DealStatus.APPROVED, DealStatus.REJECTED)

    client.force_login(world.user_b)
    notice = _conflict_notice(client.get(reverse("deals:deal_detail", args=[first.pk])))
    assert "will review both" not in notice
    assert "approved this one" in notice and f"{first.protection_expires_at:%Y-%m-%d}" in notice

    client.force_login(world.user_a)
    response = client.get(reverse("deals:deal_detail", args=[second.pk]))
    notice = _conflict_notice(response)
    assert "will review both" not in notice
    assert "rejected this one" in notice and second.rejection_reason in notice
    for secret in (first.reference, world.partner_b.name):
        assert secret not in response.content.decode()


def test_a_closed_conflicting_registration_shows_no_overlap_notice(client, world, products):
    customer = f.CustomerFactory(name="Soylent Corp")
    register(world.user_b, customer=customer, products=products[:1])
    mine = register(world.user_a, customer=customer, products=products[:1])
    client.force_login(world.user_a)
    client.post(reverse("deals:deal_withdraw", args=[mine.pk]), {"note": "Lost interest.", "confirmed": "yes"})
    html = client.get(reverse("deals:deal_detail", args=[mine.pk])).content.decode()
    assert 'id="conflict-notice"' not in html


def test_regional_manager_sees_a_placeholder_for_a_conflict_outside_their_region(client, world, products):
    customer = f.CustomerFactory(name="Massive Dynamic")
    register(world.user_a, customer=customer, products=products[:1])
    theirs = register(world.user_b, customer=customer, products=products[:1])
    client.force_login(world.regional_manager)
    page = client.get(reverse("deals:manage_deal_conflicts", args=[theirs.pk]))
    assert len(page.context["columns"]) == 1 and len(page.context["hidden"]) == 1
    assert world.partner_a.name not in page.content.decode()


# --- drafts past their close date --------------------------------------------------------------


OVERDUE = "Close date passed"


def _drafts(world):
    past = date.today() - timedelta(days=3)
    late = f.DealFactory(partner=world.partner_a, status=DealStatus.DRAFT, submitted_at=None, expected_close_date=past)
    fine = f.DealFactory(partner=world.partner_a, status=DealStatus.DRAFT, submitted_at=None)
    submitted_late = f.DealFactory(partner=world.partner_a, expected_close_date=past)
    return late, fine, submitted_late


def _rows(html: str) -> dict[str, str]:
    """Each table row's text, by the reference it starts with."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    return {m.group(0): row for row in rows if (m := re.search(r"DR-\d{4}-\d{6}", row))}


def test_drafts_past_their_close_date_are_flagged_in_the_portal(client, world):
    late, fine, submitted_late = _drafts(world)
    client.force_login(world.user_a)
    rows = _rows(client.get(reverse("deals:deal_list")).content.decode())
    assert OVERDUE in rows[late.reference]
    assert OVERDUE not in rows[fine.reference] and OVERDUE not in rows[submitted_late.reference]

    html = client.get(reverse("deals:deal_detail", args=[late.pk])).content.decode()
    assert 'id="overdue-draft"' in html and f"{late.expected_close_date:%Y-%m-%d}" in html
    assert reverse("deals:deal_edit", args=[late.pk]) in html
    for other in (fine, submitted_late):
        assert 'id="overdue-draft"' not in client.get(reverse("deals:deal_detail", args=[other.pk])).content.decode()


def test_drafts_past_their_close_date_are_flagged_for_managers(client, world):
    late, fine, submitted_late = _drafts(world)
    client.force_login(world.manager)
    rows = _rows(client.get(reverse("deals:manage_deal_list")).content.decode())
    assert OVERDUE in rows[late.reference]
    assert OVERDUE not in rows[fine.reference] and OVERDUE not in rows[submitted_late.reference]
    html = client.get(reverse("deals:manage_deal_detail", args=[late.pk])).content.decode()
    assert OVERDUE in html


# --- actions -----------------------------------------------------------------------------------


def test_partner_actions_from_the_detail_page(client, world, products):
    deal = approved(world.user_a, world.manager, products=products[:1])
    client.force_login(world.user_a)
    client.post(reverse("deals:deal_request_extension", args=[deal.pk]))
    response = client.post(reverse("deals:deal_request_extension", args=[deal.pk]), follow=True)
    assert "already requested" in response.content.decode()
    response = client.post(reverse("deals:deal_close", args=[deal.pk]), {"outcome": "lost", "loss_note": "typed"})
    assert response.status_code == 200 and "Say why the deal was lost." in response.content.decode()
    assert 'value="typed"' in response.content.decode()
    client.post(
        reverse("deals:deal_close", args=[deal.pk]),
        {"outcome": "lost", "loss_reason": "price", "loss_note": "20% cheaper offer"},
    )
    deal.refresh_from_db()
    assert deal.status == DealStatus.LOST and deal.loss_reason.code == "price"
    assert deal.loss_note == "20% cheaper offer"


def test_withdrawing_asks_for_confirmation_first(client, world, products):
    deal = register(world.user_a, products=products[:1])
    client.force_login(world.user_a)
    url = reverse("deals:deal_withdraw", args=[deal.pk])
    detail = client.get(reverse("deals:deal_detail", args=[deal.pk])).content.decode()
    # The detail page only leads to the confirmation; no form there withdraws at once.
    assert f'href="{url}"' in detail and f'action="{url}"' not in detail

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "cannot be undone" in html and deal.reference in html
    assert f'action="{url}"' in html and 'name="confirmed"' in html
    assert reverse("deals:deal_detail", args=[deal.pk]) in html  # the way back, keeping it
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED

    # A POST that did not come through the confirmation changes nothing and leads to it.
    unconfirmed = client.post(url, {"note": "Customer went quiet."})
    assert unconfirmed.status_code == 302 and unconfirmed["Location"] == url
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED

    done = client.post(url, {"note": "Customer went quiet.", "confirmed": "yes"})
    assert done["Location"] == reverse("deals:deal_detail", args=[deal.pk])
    deal.refresh_from_db()
    assert deal.status == DealStatus.WITHDRAWN and deal.events.last().note == "Customer went quiet."


def test_the_withdraw_confirmation_refuses_what_the_action_would(client, world, products):
    deal = register(world.user_a, products=products[:1])
    deal_reject(deal=deal, user=world.manager, reason="Duplicate")
    client.force_login(world.user_a)
    response = client.get(reverse("deals:deal_withdraw", args=[deal.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("deals:deal_detail", args=[deal.pk])
    assert "is rejected, so it cannot be withdrawn" in response.content.decode()
    client.force_login(world.user_b)
    assert client.get(reverse("deals:deal_withdraw", args=[deal.pk])).status_code == 404


def test_a_refused_transition_is_a_message_not_an_error(client, world, products):
    deal = register(world.user_a, products=products[:1])
    deal_reject(deal=deal, user=world.manager, reason="Duplicate")
    client.force_login(world.user_a)
    response = client.post(reverse("deals:deal_withdraw", args=[deal.pk]), follow=True)
    assert response.status_code == 200
    assert "is rejected, so it cannot be withdrawn" in response.content.decode()
    client.force_login(world.manager)
    response = client.post(reverse("deals:manage_deal_approve", args=[deal.pk]), follow=True)
    assert "cannot be approved" in response.content.decode()


def test_reject_needs_a_reason_and_keeps_the_page(client, world, products):
    deal = register(world.user_a, products=products[:1])
    client.force_login(world.manager)
    response = client.post(reverse("deals:manage_deal_reject", args=[deal.pk]), {"reason": ""})
    assert response.status_code == 200 and "Give the reason for the rejection" in response.content.decode()
    client.post(reverse("deals:manage_deal_reject", args=[deal.pk]), {"reason": "Out of territory"})
    deal.refresh_from_db()
    assert deal.status == DealStatus.REJECTED and deal.rejection_reason == "Out of territory"


def test_manager_extends_protection_once(client, world, products):
    deal = approved(world.user_a, world.manager, products=products[:1])
    client.force_login(world.manager)
    client.post(reverse("deals:manage_deal_extend", args=[deal.pk]), {"note": "Tender delayed"})
    response = client.post(reverse("deals:manage_deal_extend", args=[deal.pk]), follow=True)
    assert "only once" in response.content.decode()
    assert deal.events.filter(kind="extension").count() == 1


def test_bulk_decisions_report_each_deal(client, world, products):
    good = register(world.user_a, products=products[:1])
    also_good = register(world.user_b, products=products[:1])
    already = approved(world.user_a, world.manager, products=products[:1])
    client.force_login(world.manager)
    url = reverse("deals:manage_queue") + "?sort=submitted"
    response = client.post(url, {"action": "approve", "deals": [good.pk, already.pk, also_good.pk, 999999]})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url)
    text = [str(m) for m in page.context["messages"]]
    assert any(good.reference in t and also_good.reference in t and t.startswith("Approved 2") for t in text)
    assert any(t.startswith(already.reference) and "cannot be approved" in t for t in text)
    assert any(t.startswith("#999999") for t in text)
    good.refresh_from_db()
    assert good.status == DealStatus.APPROVED


def test_bulk_reject_without_reason_keeps_the_ticks(client, world, products):
    deal = register(world.user_a, products=products[:1])
    client.force_login(world.manager)
    response = client.post(reverse("deals:manage_queue"), {"action": "reject", "deals": [deal.pk], "reason": ""})
    assert response.status_code == 200
    assert deal.pk in response.context["selected_ids"]
    assert "Give the reason for the rejection" in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


def test_queue_filters_by_age_tier_and_sorts_oldest_first(client, world, products):
    from django.utils import timezone

    old = register(world.user_a, products=products[:1])
    DealRegistration.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=9))
    new = register(world.user_b, products=products[:1])
    client.force_login(world.manager)
    assert list(client.get(reverse("deals:manage_queue")).context["object_list"]) == [old, new]
    assert list(client.get(reverse("deals:manage_queue"), {"waiting": "7"}).context["object_list"]) == [old]
    assert list(client.get(reverse("deals:manage_queue"), {"sort": "-submitted"}).context["object_list"]) == [new, old]
    tier = world.partner_b.tier
    listed = client.get(reverse("deals:manage_queue"), {"tier": tier.pk, "region": world.amer.pk})
    assert list(listed.context["object_list"]) == [new]
    assert "waiting 9 d" in client.get(reverse("deals:manage_deal_detail", args=[old.pk])).content.decode()


def test_admin_shows_deals_but_lifecycle_changes_go_through_the_services(client, world, products):
    deal = register(world.user_a, products=products[:1])
    client.force_login(world.superuser)
    page = client.get(reverse("admin:deals_dealregistration_change", args=[deal.pk]))
    assert page.status_code == 200 and "status" in page.context["adminform"].readonly_fields
    assert client.get(reverse("admin:deals_dealregistration_add")).status_code == 403


def test_manager_finds_pending_extension_requests(client, world, products):
    from deals.services import deal_request_extension

    asked = approved(world.user_a, world.manager, products=products[:1])
    approved(world.user_a, world.manager, products=products[:1])
    deal_request_extension(deal=asked, user=world.user_a)
    client.force_login(world.manager)
    listed = client.get(reverse("deals:manage_deal_list"), {"extension_requested": "true"})
    assert list(listed.context["object_list"]) == [asked]


def test_a_lines_error_is_shown_on_that_line_and_a_blank_row_is_not_counted(client, world, products):
    client.force_login(world.user_a)
    data = _form_data(products, **{"lines-TOTAL_FORMS": "3"})
    data.update({"lines-0-product": "", "lines-0-quantity": "", "lines-0-unit_price": ""})  # a blank first row
    data.update({"lines-1-product": str(products[0].pk), "lines-1-quantity": "2", "lines-1-unit_price": "10"})
    data.update({"lines-2-product": str(products[1].pk), "lines-2-quantity": "2000000", "lines-2-unit_price": ""})
    response = client.post(reverse("deals:deal_create"), data)
    assert response.status_code == 200
    forms = response.context["formset"].forms
    # Checked once, by the service: line 2 of the registration is the third row of the form.
    assert forms[2].errors["quantity"] == ["Line 2: the quantity must be between 1 and 1,000,000."]
    assert not forms[0].errors and not forms[1].errors
    assert not DealRegistration.objects.exists()


def test_a_past_close_date_is_refused_by_the_service_under_its_field(client, world, products):
    client.force_login(world.user_a)
    data = _form_data(products, expected_close_date=(date.today() - timedelta(days=1)).isoformat())
    response = client.post(reverse("deals:deal_create"), data)
    assert response.context["form"].errors["expected_close_date"] == ["The expected close date cannot be in the past."]
