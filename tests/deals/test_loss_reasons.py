"""Loss reasons: required when a deal is closed lost (service, form, API), shown on the deal, its history,
lists and exports, filterable; the admin-editable list is seeded by a migration."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from deals.models import LOSS_REASON_NOT_RECORDED, DealRegistration, DealStatus, LossReason
from deals.services import deal_close
from tests import factories as f
from tests.deals.conftest import approved
from tests.fixtures.api import error_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

SEEDED = ["price", "competitor", "no_budget", "no_decision", "timing", "product_fit", "other_partner", "other"]


def test_the_migration_seeds_the_standard_reasons_in_order():
    assert list(LossReason.objects.values_list("code", flat=True)) == SEEDED
    assert list(LossReason.objects.filter(needs_note=True).values_list("code", flat=True)) == ["other"]


# --- the service ---------------------------------------------------------------------------------------


def test_a_lost_deal_needs_a_reason_and_the_error_names_the_codes(world, products):
    deal = approved(world.user_a, world.manager, products=products[:1])
    for missing in (None, "", "   "):
        with pytest.raises(ValidationError) as exc:
            deal_close(deal=deal, user=world.user_a, won=False, loss_reason=missing)
        message = exc.value.message_dict["loss_reason"][0]
        assert message.startswith("Say why the deal was lost") and "price" in message and "other" in message
    with pytest.raises(ValidationError) as exc:
        deal_close(deal=deal, user=world.user_a, won=False, loss_reason="cheaper")
    assert "Unknown loss reason “cheaper”" in exc.value.message_dict["loss_reason"][0]
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED and deal.loss_reason is None and deal.closed_at is None


def test_an_inactive_reason_is_refused(world, products):
    deal = approved(world.user_a, world.manager, products=products[:1])
    LossReason.objects.filter(code="timing").update(is_active=False)
    for value in ("timing", LossReason.objects.get(code="timing")):
        with pytest.raises(ValidationError) as exc:
            deal_close(deal=deal, user=world.user_a, won=False, loss_reason=value)
        assert "loss_reason" in exc.value.message_dict


def test_other_needs_a_note_and_both_land_on_the_deal_and_in_its_history(world, products, emitted):
    deal = approved(world.user_a, world.manager, products=products[:1])
    with pytest.raises(ValidationError) as exc:
        deal_close(deal=deal, user=world.user_a, won=False, loss_reason="other", loss_note=" ")
    assert "loss_note" in exc.value.message_dict
    deal_close(deal=deal, user=world.user_a, won=False, loss_reason="other", loss_note="  Merged with a rival ")
    deal.refresh_from_db()
    assert (deal.status, deal.loss_reason.code, deal.loss_note) == ("lost", "other", "Merged with a rival")
    assert deal.loss_reason_label == "Other"
    last = deal.events.last()
    assert (last.to_status, last.note) == ("lost", "Loss reason: Other — Merged with a rival")


def test_a_won_deal_stores_no_reason_even_if_one_is_sent(world, products):
    deal = approved(world.user_a, world.manager, products=products[:1])
    deal_close(deal=deal, user=world.user_a, won=True, loss_reason="price", loss_note="ignored")
    deal.refresh_from_db()
    assert (deal.status, deal.loss_reason, deal.loss_note, deal.loss_reason_label) == ("won", None, "", "")


def test_the_lost_event_carries_the_code_name_and_note(world, products, emitted, django_capture_on_commit_callbacks):
    deal = approved(world.user_a, world.manager, products=products[:1])
    with django_capture_on_commit_callbacks(execute=True):
        deal_close(deal=deal, user=world.user_a, won=False, loss_reason="price", loss_note="20 % cheaper")
    event = next(e for e in emitted if e.name == "deal.lost")
    assert (event.data["loss_reason"], event.data["loss_reason_name"], event.data["loss_note"]) == (
        "price",
        "Price",
        "20 % cheaper",
    )


def test_a_deal_lost_before_the_list_shows_not_recorded(world):
    old = f.DealFactory(partner=world.partner_a, status=DealStatus.LOST, loss_note="Lost to a cheaper offer")
    assert old.loss_reason is None and old.loss_reason_label == LOSS_REASON_NOT_RECORDED


# --- the form --------------------------------------------------------------------------------------------


def test_the_close_form_requires_a_reason_from_the_list(client, world, products):
    deal = approved(world.user_a, world.manager, products=products[:1])
    client.force_login(world.user_a)
    url = reverse("deals:deal_close", args=[deal.pk])
    page = client.post(url, {"outcome": "lost"}).content.decode()
    assert "Say why the deal was lost." in page
    page = client.post(url, {"outcome": "lost", "loss_reason": "made-up"}).content.decode()
    assert "Choose a reason from the list." in page
    page = client.post(url, {"outcome": "lost", "loss_reason": "other"}).content.decode()
    assert "needs a few words" in page
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED
    client.post(url, {"outcome": "lost", "loss_reason": "no_budget", "loss_note": "Frozen until Q3"})
    deal.refresh_from_db()
    assert (deal.status, deal.loss_reason.code, deal.loss_note) == ("lost", "no_budget", "Frozen until Q3")
    detail = client.get(reverse("deals:deal_detail", args=[deal.pk])).content.decode()
    assert "No budget" in detail and "Frozen until Q3" in detail


def test_the_form_offers_active_reasons_only(client, world, products):
    LossReason.objects.filter(code="timing").update(is_active=False)
    deal = approved(world.user_a, world.manager, products=products[:1])
    client.force_login(world.user_a)
    page = client.get(reverse("deals:deal_detail", args=[deal.pk])).content.decode()
    assert 'value="price"' in page and 'value="timing"' not in page


# --- the API ---------------------------------------------------------------------------------------------


def test_api_close_lost_takes_a_code_and_answers_unknown_codes_with_the_list(world, products, client_for):
    deal = approved(world.admin_a, world.manager, products=products[:1])
    client = client_for("admin_a")
    url = f"/api/v1/deals/{deal.pk}/close/"
    missing = client.post(url, {"won": False}, format="json")
    assert missing.status_code == 400 and "loss_reason" in error_of(missing)["fields"]
    unknown = client.post(url, {"won": False, "loss_reason": "Too expensive"}, format="json")
    assert unknown.status_code == 400
    assert "choose one of: price, competitor" in str(error_of(unknown)["fields"]["loss_reason"])
    done = client.post(url, {"won": False, "loss_reason": "competitor", "loss_note": "Incumbent"}, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["loss_reason"], body["loss_reason_name"], body["loss_note"]) == (
        "lost",
        "competitor",
        "Lost to a competitor",
        "Incumbent",
    )
    listed = client.get("/api/v1/deals/", {"status": "lost", "loss_reason": "competitor"}).json()["results"]
    assert [row["loss_reason"] for row in listed] == ["competitor"]


def test_api_lists_the_loss_reasons(client_for):
    rows = client_for("user_a").get("/api/v1/loss-reasons/").json()["results"]
    assert [row["code"] for row in rows] == SEEDED
    assert rows[-1] | {"id": 0} == {
        "id": 0,
        "code": "other",
        "name": "Other",
        "position": 80,
        "is_active": True,
        "needs_note": True,
    }


# --- lists, filters and exports -------------------------------------------------------------------------


def test_lists_filter_by_reason_and_product_and_export_the_reason(client, world, products):
    priced = approved(world.user_a, world.manager, products=products[:1])
    deal_close(deal=priced, user=world.user_a, won=False, loss_reason="price", loss_note="Cheaper elsewhere")
    timed = approved(world.user_a, world.manager, products=products[1:2])
    deal_close(deal=timed, user=world.user_a, won=False, loss_reason="timing")
    old = f.DealFactory(
        partner=world.partner_a, reference="DR-2019-000001", status=DealStatus.LOST, loss_note="before the list"
    )
    client.force_login(world.manager)
    url = reverse("deals:manage_deal_list")

    def references(**params) -> set[str]:
        response = client.get(url, {"status": "lost", "export": "csv", **params})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        return {row["Reference"] for row in rows}, rows

    by_price, rows = references(loss_reason="price")
    assert by_price == {priced.reference}
    assert (rows[0]["Loss reason"], rows[0]["Loss details"]) == ("Price", "Cheaper elsewhere")
    not_recorded, rows = references(loss_reason="none")
    assert not_recorded == {old.reference} and rows[0]["Loss reason"] == LOSS_REASON_NOT_RECORDED
    by_product, _ = references(product=products[1].pk)
    assert by_product == {timed.reference}
    page = client.get(url, {"status": "lost"}).content.decode()
    assert "Timing / postponed" in page and LOSS_REASON_NOT_RECORDED in page
    assert DealRegistration.objects.filter(status="lost").count() == 3
