"""The recipients rule (partners.selectors.manager_recipients): the account manager, else everyone in scope."""

from __future__ import annotations

import pytest

from partners.models import Partner
from partners.selectors import manager_recipients, manager_recipients_by_partner
from tests import factories as f

pytestmark = pytest.mark.django_db


def in_scope(partner: Partner, managers) -> list:
    """Independently of the rule: the managers the visibility rule lets see the partner, one query each."""
    return [m for m in managers if Partner.objects.visible_to(m).filter(pk=partner.pk).exists()]


def test_without_an_account_manager_every_manager_in_scope_hears(world):
    emea_manager = f.ManagerFactory(username="emea_manager", regions=[world.emea])
    both = f.ManagerFactory(username="both_regions", regions=[world.emea, world.amer])
    f.ManagerFactory(username="retired", is_active=False)  # inactive: told nothing
    for partner in (world.partner_a, world.partner_b, world.distributor):
        assert partner.account_manager_id is None
    # Americas: its regional manager, the one covering both regions and the one covering every region.
    assert manager_recipients(partner=world.partner_b) == [world.manager, world.regional_manager, both]
    assert manager_recipients(partner=world.partner_a) == [world.manager, emea_manager, both]
    # Nobody outside the partner's regions, no partner user, no superuser.
    assert world.regional_manager not in manager_recipients(partner=world.partner_a)
    assert world.superuser not in manager_recipients(partner=world.partner_a)


def test_an_account_manager_who_sees_the_partner_is_told_alone(world):
    world.partner_b.account_manager = world.regional_manager
    world.partner_b.save()
    assert manager_recipients(partner=world.partner_b) == [world.regional_manager]
    world.partner_a.account_manager = world.manager  # every region
    world.partner_a.save()
    assert manager_recipients(partner=world.partner_a) == [world.manager]


def test_an_account_manager_who_cannot_act_falls_back_to_everyone_in_scope(world):
    # Limited to the Americas but named on an EMEA partner: may not see it, so the EMEA scope hears instead.
    world.partner_a.account_manager = world.regional_manager
    world.partner_a.save()
    assert manager_recipients(partner=world.partner_a) == [world.manager]
    owner = f.ManagerFactory(username="owner")
    world.partner_b.account_manager = owner
    world.partner_b.save()
    owner.is_active = False
    owner.save()
    assert manager_recipients(partner=world.partner_b) == [world.manager, world.regional_manager]


def test_the_fallback_is_exactly_the_visibility_rule(world):
    f.ManagerFactory(username="emea_manager", regions=[world.emea])
    f.ManagerFactory(username="both_regions", regions=[world.emea, world.amer])
    managers = list(type(world.manager).objects.filter(role="channel_manager", is_active=True).order_by("pk"))
    partners = list(Partner.objects.order_by("pk"))
    assert len(partners) == 4 and len(managers) == 4
    by_partner = manager_recipients_by_partner(partners)
    for partner in partners:
        expected = in_scope(partner, managers)
        assert manager_recipients(partner=partner) == expected
        assert by_partner[partner.pk] == expected


def test_reading_recipients_costs_two_queries_however_many_partners(world, django_assert_num_queries):
    for index in range(6):
        f.PartnerFactory(name=f"Extra {index}", region=world.amer)
    partners = list(Partner.objects.all())
    with django_assert_num_queries(2):
        manager_recipients(partner=world.partner_a)
    with django_assert_num_queries(2):
        assert len(manager_recipients_by_partner(partners)) == len(partners)
