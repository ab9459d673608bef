"""The visibility rule as a matrix: every partner-scoped model, every role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from deals.models import DealEvent, DealRegistration
from inventory.models import InventoryReport
from partners.models import Certification, Partner
from tests import factories as f
from warranty.models import ClaimEvent, WarrantyClaim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

ALL = {"Alpha Systems", "Bravo Networks", "Delta Distribution", "Echo Reseller"}
# Who sees which partners' rows. "supplied" models let a distributor read its resellers' rows.
EXPECTED = {
    "superuser": (ALL, ALL),
    "manager": (ALL, ALL),
    "regional_manager": ({"Bravo Networks"}, {"Bravo Networks"}),
    "admin_a": ({"Alpha Systems"}, {"Alpha Systems"}),
    "user_a": ({"Alpha Systems"}, {"Alpha Systems"}),
    "admin_b": ({"Bravo Networks"}, {"Bravo Networks"}),
    "distributor_admin": ({"Delta Distribution", "Echo Reseller"}, {"Delta Distribution"}),
    "anonymous": (set(), set()),
}


@pytest.fixture
def rows(world):
    """One row of every partner-scoped model for each of the four partners."""
    partners = [world.partner_a, world.partner_b, world.distributor, world.reseller_of_distributor]
    for partner in partners:
        deal = f.DealFactory(partner=partner)
        f.DealEventFactory(deal=deal)
        f.InventoryReportFactory(partner=partner)
        claim = f.WarrantyClaimFactory(partner=partner)
        ClaimEvent.objects.create(claim=claim, at=claim.submitted_at, to_status="submitted")
        f.CertificationFactory(partner=partner)
    return world


def _user(world, role):
    return AnonymousUser() if role == "anonymous" else getattr(world, role)


def _partner_names(queryset, path):
    return set(queryset.values_list(path, flat=True))


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize(
    ("model", "path", "supplied"),
    [
        (Partner, "name", True),
        (DealRegistration, "partner__name", True),
        (DealEvent, "deal__partner__name", True),
        (InventoryReport, "partner__name", True),
        (WarrantyClaim, "partner__name", False),
        (ClaimEvent, "claim__partner__name", False),
        (Certification, "partner__name", False),
    ],
)
def test_visible_rows_per_role(rows, role, model, path, supplied):
    with_supplied, without = EXPECTED[role]
    expected = with_supplied if supplied else without
    assert _partner_names(model.objects.visible_to(_user(rows, role)), path) == expected


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_editable_by_never_includes_supplied_partners(rows, role):
    """A distributor reads its resellers' deals but may not change them; others edit what they see."""
    editable = _partner_names(DealRegistration.objects.editable_by(_user(rows, role)), "partner__name")
    assert editable == EXPECTED[role][1]


def test_inactive_user_sees_nothing(world):
    world.user_a.is_active = False
    world.user_a.save()
    assert not Partner.objects.visible_to(world.user_a).exists()


def test_customers_are_visible_only_through_own_deals_and_claims(world):
    own = f.DealFactory(partner=world.partner_a).customer
    other = f.DealFactory(partner=world.partner_b).customer
    from customers.models import Customer

    assert set(Customer.objects.visible_to(world.user_a)) == {own}
    assert set(Customer.objects.visible_to(world.regional_manager)) == {other}
    assert set(Customer.objects.visible_to(world.manager)) == {own, other}


def test_notifications_belong_to_their_recipient(world):
    from notifications.models import Notification

    mine = Notification.objects.create(recipient=world.user_a, verb="test", title="mine")
    Notification.objects.create(recipient=world.user_b, verb="test", title="theirs")
    assert list(Notification.objects.visible_to(world.user_a)) == [mine]
    assert not Notification.objects.visible_to(AnonymousUser()).exists()


# --- pages: the same rule behind every partner page ---------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("superuser", 200), ("regional_manager", 404), ("admin_b", 403), ("anonymous", 302)],
)
def test_partner_detail_page(client, world, role, status):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(f"/manage/partners/{world.partner_a.pk}/")
    assert response.status_code == status


def test_partner_list_page_for_regional_manager(client, world):
    client.force_login(world.regional_manager)
    response = client.get("/manage/partners/")
    names = {p.name for p in response.context["object_list"]}
    assert names == {"Bravo Networks"}


def test_partner_list_page_query_count_is_constant(client, world, django_assert_max_num_queries):
    client.force_login(world.manager)
    client.get("/manage/partners/")  # warm caches (content types, session)
    with django_assert_max_num_queries(12) as first:
        client.get("/manage/partners/")
    f.PartnerFactory.create_batch(30, region=world.emea)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/manage/partners/")


def test_portal_home_shows_only_own_partner(client, world):
    client.force_login(world.user_a)
    response = client.get("/portal/")
    assert response.status_code == 200
    assert b"Alpha Systems" in response.content
    assert b"Bravo Networks" not in response.content


def test_manager_cannot_open_portal_and_partner_cannot_open_manage(client, world):
    client.force_login(world.manager)
    assert client.get("/portal/").status_code == 403
    client.force_login(world.user_a)
    assert client.get("/manage/").status_code == 403


def test_home_redirects_by_role(client, world):
    client.force_login(world.manager)
    assert client.get("/").url == "/manage/"
    client.force_login(world.user_a)
    assert client.get("/").url == "/portal/"
    client.logout()
    assert client.get("/").status_code == 302
