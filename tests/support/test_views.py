"""Support pages: who enters, opening a ticket, the conversation and the moves on both sides, the queue's
filters and export, constant query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from support.models import Ticket, TicketComment
from support.services import REOPEN_REASON_NEEDED, ticket_comment, ticket_transition
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def _form(product, category, **overrides):
    data = {
        "subject": "Access point drops clients",
        "category": category.pk,
        "severity": "high",
        "product": product.pk,
        "serial_number": "ap-77",
        "customer": "",
        "customer_name": "Northwind Traders",
        "description": "Clients disconnect every few minutes on floor 3.",
        "warranty_claim": "",
        "deal": "",
    }
    data.update(overrides)
    return data


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- who may open which page ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ticket_list", "ticket_create"])
def test_portal_pages_are_for_partner_members(client, world, name):
    url = reverse(f"support:{name}")
    client.force_login(world.user_a)
    assert client.get(url).status_code == 200
    client.force_login(world.manager)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_manage_pages_are_for_managers(client, world, open_ticket):
    ticket = open_ticket()
    for url in (reverse("support:manage_ticket_list"), reverse("support:manage_ticket_detail", args=[ticket.pk])):
        client.force_login(world.admin_a)
        assert client.get(url).status_code == 403
        client.force_login(world.manager)
        assert client.get(url).status_code == 200


def test_another_partners_ticket_answers_404(client, world, open_ticket):
    ticket = open_ticket()
    for user, name in (
        (world.user_b, "support:ticket_detail"),
        (world.distributor_admin, "support:ticket_detail"),
        (world.regional_manager, "support:manage_ticket_detail"),
    ):
        client.force_login(user)
        url = reverse(name, args=[ticket.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "comment", "body": "hi"}).status_code == 404
    assert not TicketComment.objects.exists()


# --- opening ----------------------------------------------------------------------------------------


def test_open_a_ticket_from_the_portal(client, world, product, category):
    client.force_login(world.user_a)
    response = client.post(reverse("support:ticket_create"), _form(product, category))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("support:ticket_detail", args=[ticket.pk])
    assert (ticket.partner, ticket.origin, ticket.severity, ticket.serial_number) == (
        world.partner_a,
        "portal",
        "high",
        "AP-77",
    )
    page = client.get(response["Location"]).content.decode()
    assert ticket.reference in page and "Northwind Traders" in page and "not yet answered" in page


def test_form_errors_are_shown_where_typed_and_nothing_is_stored(client, world, product, category):
    client.force_login(world.user_a)
    claim_b = f.WarrantyClaimFactory(partner=world.partner_b, product=product)
    response = client.post(
        reverse("support:ticket_create"), _form(product, category, subject="", warranty_claim=claim_b.pk)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "subject" in form.errors
    assert form.errors["warranty_claim"] == ["That is not one of your recent warranty claims."]
    assert not Ticket.objects.exists()


def test_the_form_offers_only_the_partners_own_claims_and_deals(client, world, product):
    own = f.WarrantyClaimFactory(partner=world.partner_a, product=product)
    other = f.WarrantyClaimFactory(partner=world.partner_b, product=product)
    own_deal, other_deal = f.DealFactory(partner=world.partner_a), f.DealFactory(partner=world.partner_b)
    client.force_login(world.user_a)
    form = client.get(reverse("support:ticket_create") + f"?warranty_claim={own.pk}").context["form"]
    assert list(form.fields["warranty_claim"].queryset) == [own]
    assert list(form.fields["deal"].queryset) == [own_deal]
    assert form.initial["warranty_claim"] == own.pk
    assert other not in form.fields["warranty_claim"].queryset and other_deal not in form.fields["deal"].queryset


# --- the conversation and the moves ------------------------------------------------------------------


def test_partners_never_see_internal_notes(client, world, open_ticket):
    ticket = open_ticket()
    ticket_comment(ticket=ticket, user=world.manager, body="Vendor-only: RMA approved internally", internal=True)
    ticket_comment(ticket=ticket, user=world.manager, body="Please try firmware 2.1")
    client.force_login(world.user_a)
    page = client.get(reverse("support:ticket_detail", args=[ticket.pk])).content.decode()
    assert "Please try firmware 2.1" in page and "RMA approved internally" not in page
    assert "Internal note" not in page
    client.force_login(world.manager)
    page = client.get(reverse("support:manage_ticket_detail", args=[ticket.pk])).content.decode()
    assert "RMA approved internally" in page and "Internal note" in page


def test_a_manager_writes_an_internal_note_from_the_page(client, world, open_ticket):
    ticket = open_ticket()
    client.force_login(world.manager)
    url = reverse("support:manage_ticket_detail", args=[ticket.pk])
    response = client.post(url, {"action": "comment", "body": "Check the batch", "internal": "on"})
    assert response.status_code == 302
    assert TicketComment.objects.get().is_internal
    # A partner posting the same flag writes a plain comment: the portal form has no such field.
    client.force_login(world.user_a)
    client.post(
        reverse("support:ticket_detail", args=[ticket.pk]), {"action": "comment", "body": "Hi", "internal": "on"}
    )
    assert not TicketComment.objects.get(body="Hi").is_internal


def test_moves_on_both_pages(client, world, open_ticket):
    ticket = open_ticket()
    manage_url = reverse("support:manage_ticket_detail", args=[ticket.pk])
    portal_url = reverse("support:ticket_detail", args=[ticket.pk])
    client.force_login(world.manager)
    actions = [a for a, _ in client.get(manage_url).context["actions"]]
    assert actions == ["start", "wait_partner", "wait_vendor", "resolve"]
    client.post(manage_url, {"action": "wait_partner", "note": "Need logs"})
    client.force_login(world.user_a)
    assert [a for a, _ in client.get(portal_url).context["actions"]] == ["resolve"]
    client.post(portal_url, {"action": "comment", "body": "Logs attached"})
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    client.force_login(world.manager)
    client.post(manage_url, {"action": "resolve", "note": "Fixed in 2.1"})
    client.force_login(world.user_a)
    assert [a for a, _ in client.get(portal_url).context["actions"]] == ["close", "reopen"]
    refused = client.post(portal_url, {"action": "reopen", "note": ""})
    assert refused.status_code == 200
    assert refused.context["note_form"].errors["note"] == [REOPEN_REASON_NEEDED]
    client.post(portal_url, {"action": "reopen", "note": "Still rebooting"})
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.reopen_count == 1


def test_a_refused_move_is_a_message_not_an_error_page(client, world, open_ticket):
    ticket = open_ticket()
    client.force_login(world.user_a)
    url = reverse("support:ticket_detail", args=[ticket.pk])
    response = client.post(url, {"action": "wait_vendor"}, follow=True)
    assert "Only the support team" in response.content.decode()
    assert client.post(url, {"action": "explode"}).status_code == 302


# --- lists ----------------------------------------------------------------------------------------------


def test_the_queue_shows_open_tickets_by_due_time_and_filters(client, world, open_ticket, product):
    critical = open_ticket(severity="critical", subject="Core down")
    low = open_ticket(severity="low", subject="Manual typo")
    done = open_ticket(subject="Solved one")
    ticket_transition(ticket=done, user=world.manager, to_status="resolved")
    late = open_ticket(severity="medium", subject="Late one")
    Ticket.objects.filter(pk=late.pk).update(resolution_due_at=timezone.now() - timedelta(hours=1))
    client.force_login(world.manager)
    url = reverse("support:manage_ticket_list")
    rows = list(client.get(url).context["object_list"])
    assert rows == [late, critical, low]  # open only, resolution due soonest first
    assert [t.pk for t in client.get(url, {"sla_breached": "true"}).context["object_list"]] == [late.pk]
    assert [t.pk for t in client.get(url, {"severity": "critical"}).context["object_list"]] == [critical.pk]
    assert done in client.get(url, {"status": "resolved"}).context["object_list"]
    assert list(client.get(url, {"older_than": "1"}).context["object_list"]) == []
    summary = client.get(url).context["summary"]
    assert summary == {"open": 3, "unanswered": 3, "waiting_on_partner": 0, "breached": 1, "critical": 1}
    assert list(client.get(url, {"partner": world.partner_b.pk}).context["object_list"]) == []


def test_a_regional_manager_sees_only_its_regions_queue(client, world, open_ticket):
    open_ticket()
    b_ticket = open_ticket(partner=world.partner_b, user=world.user_b)
    client.force_login(world.regional_manager)
    rows = client.get(reverse("support:manage_ticket_list")).context["object_list"]
    assert list(rows) == [b_ticket]


def test_export_has_the_lists_rows_and_columns(client, world, open_ticket):
    mine = open_ticket(customer_name="Contoso")
    open_ticket(partner=world.partner_b, user=world.user_b, subject="Bravo's secret problem")
    client.force_login(world.user_a)
    rows = _csv(client.get(reverse("support:ticket_list"), {"export": "csv"}))
    assert rows[0][:4] == ["Reference", "Partner", "Origin", "Customer"]
    assert [row[0] for row in rows[1:]] == [mine.reference]
    assert "Bravo" not in str(rows)
    client.force_login(world.manager)
    rows = _csv(client.get(reverse("support:manage_ticket_list"), {"export": "csv", "partner": world.partner_a.pk}))
    assert [row[0] for row in rows[1:]] == [mine.reference]


@pytest.mark.parametrize(("username", "url_name"), [("user_a", "ticket_list"), ("manager", "manage_ticket_list")])
def test_lists_cost_the_same_queries_for_3_or_60_tickets(
    client, world, open_ticket, django_assert_max_num_queries, username, url_name
):
    for i in range(3):
        open_ticket(serial_number=f"S{i}")
    client.force_login(getattr(world, username))
    url = reverse(f"support:{url_name}")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(60):
        open_ticket(serial_number=f"T{i}", product=f.ProductFactory(), customer_name=f"Customer {i}")
    with django_assert_max_num_queries(len(few)):
        page = client.get(url)
    assert len(page.context["object_list"]) == 50


def test_the_detail_page_costs_the_same_queries_for_2_or_30_comments(
    client, world, open_ticket, django_assert_max_num_queries
):
    ticket = open_ticket()
    for i in range(2):
        ticket_comment(ticket=ticket, user=world.manager, body=f"c{i}")
    client.force_login(world.manager)
    url = reverse("support:manage_ticket_detail", args=[ticket.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(28):
        ticket_comment(ticket=ticket, user=world.user_a if i % 2 else world.manager, body=f"more {i}")
        ticket_transition(ticket=ticket, user=world.manager, to_status="waiting_on_vendor" if i % 2 else "in_progress")
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_empty_lists_explain_themselves(client, world):
    client.force_login(world.user_a)
    assert "You have not opened any support tickets yet" in client.get(reverse("support:ticket_list")).content.decode()
    client.force_login(world.manager)
    assert "nothing is open" in client.get(reverse("support:manage_ticket_list")).content.decode()
