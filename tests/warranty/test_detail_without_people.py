"""A claim or an upload whose user account was deleted (the foreign keys are SET_NULL) still opens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.models import ImportJob
from tests import factories as f
from warranty.models import ClaimEvent

pytestmark = pytest.mark.django_db


def test_a_claim_whose_filer_and_decider_left_opens_for_partner_and_manager(client, world):
    claim = f.WarrantyClaimFactory(partner=world.partner_a, submitted_by=None, decided_by=None)
    ClaimEvent.objects.create(claim=claim, actor=None, at=claim.submitted_at, from_status="", to_status="submitted")
    for user, url in (
        (world.user_a, reverse("warranty:claim_detail", args=[claim.pk])),
        (world.manager, reverse("warranty:manage_claim_detail", args=[claim.pk])),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert "UTC by —" in response.content.decode()


def test_an_upload_whose_uploader_left_opens_and_is_listed(client, world):
    job = ImportJob.objects.create(partner=world.partner_a, user=None, filename="stock.csv", content=b"sku\n", size=4)
    client.force_login(world.admin_a)
    detail = client.get(reverse("inventory:import_detail", args=[job.pk]))
    assert detail.status_code == 200 and "UTC by —" in detail.content.decode()
    assert client.get(reverse("inventory:import_list")).status_code == 200
