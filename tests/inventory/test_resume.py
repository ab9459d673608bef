"""Resuming an upload whose processing stopped (no beat to sweep it): service, permissions, pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from inventory.imports import import_job_create, import_job_request_import, import_job_resume
from inventory.models import ImportJob, InventoryReport
from tests import factories as f
from tests.inventory.conftest import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = "sku,date,on_hand,units_sold,on_order"


@pytest.fixture
def stalled(world, products, settings, django_capture_on_commit_callbacks) -> ImportJob:
    """A large upload whose checking started and then stopped: the process died mid-way, no beat runs."""
    settings.PRM_INVENTORY_SYNC_ROWS = 100
    lines = [HEADER] + [f"{p.sku},{date.today() - timedelta(days=d)},{d},1,0" for p in products for d in range(1, 81)]
    with django_capture_on_commit_callbacks(execute=False):  # the task never runs
        job = import_job_create(
            partner=world.partner_a, user=world.user_a, filename="big.csv", content=csv_bytes(*lines)
        )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.VALIDATING, processed_rows=40, updated_at=timezone.now() - timedelta(minutes=30)
    )
    job.refresh_from_db()
    return job


def _stall(job: ImportJob, status: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=status, updated_at=timezone.now() - timedelta(minutes=30))
    job.refresh_from_db()


def test_the_uploader_resumes_both_steps_and_every_row_is_imported_once(
    world, stalled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_resume(job=stalled, user=world.user_a)
    job.refresh_from_db()  # the worker's task ran after the commit
    assert job.status == ImportJob.Status.VALIDATED and job.valid_rows == 240
    with django_capture_on_commit_callbacks(execute=False):
        import_job_request_import(job=job, user=world.user_a)  # its worker dies too
    _stall(job, ImportJob.Status.IMPORTING)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_resume(job=job, user=world.user_a)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and InventoryReport.objects.count() == 240
    with pytest.raises(TransitionNotAllowedError, match="nothing to resume"):
        import_job_resume(job=job, user=world.user_a)
    assert InventoryReport.objects.count() == 240


def test_resuming_twice_starts_the_work_once(world, stalled, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as first:
        import_job_resume(job=stalled, user=world.user_a)
    with django_capture_on_commit_callbacks(execute=False) as second:
        again = import_job_resume(job=stalled, user=world.user_a)  # it has just moved: left to its worker
    assert len(first) == 1 and second == []
    assert again.status == ImportJob.Status.VALIDATING


def test_a_job_still_moving_is_not_started_again(world, stalled, django_capture_on_commit_callbacks):
    ImportJob.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        import_job_resume(job=stalled, user=world.user_a)
    assert queued == []


def test_who_may_resume(world, stalled):
    colleague = f.PartnerAdminFactory(partner=world.partner_a)
    for user in (colleague, world.regional_manager, world.admin_b, world.distributor_admin):
        with pytest.raises(ActionNotPermittedError):
            import_job_resume(job=stalled, user=user)
    emea_manager = f.ManagerFactory(regions=[world.emea])
    assert import_job_resume(job=stalled, user=emea_manager).pk == stalled.pk


def test_the_portal_page_offers_resume_to_the_uploader_only_once_the_job_stopped(
    world, client, stalled, django_capture_on_commit_callbacks
):
    url = reverse("inventory:import_detail", args=[stalled.pk])
    client.force_login(world.user_a)
    page = client.get(url).content.decode()
    assert "stopped moving" in page and reverse("inventory:import_resume", args=[stalled.pk]) in page
    assert 'hx-trigger="every 1s"' not in page  # no polling of a job nothing moves
    client.force_login(f.PartnerUserFactory(partner=world.partner_a))
    assert "stopped moving" not in client.get(url).content.decode()
    ImportJob.objects.filter(pk=stalled.pk).update(updated_at=timezone.now())
    client.force_login(world.user_a)
    moving = client.get(url).content.decode()
    assert "stopped moving" not in moving and 'hx-trigger="every 1s"' in moving
    _stall(stalled, ImportJob.Status.VALIDATING)
    with django_capture_on_commit_callbacks(execute=True):
        resumed = client.post(reverse("inventory:import_resume", args=[stalled.pk]), follow=True)
    assert resumed.redirect_chain[-1][0] == url
    stalled.refresh_from_db()
    assert stalled.status == ImportJob.Status.VALIDATED  # eager tasks, as in the quick start


def test_managers_who_see_the_partner_follow_and_resume_uploads(
    world, client, stalled, django_capture_on_commit_callbacks
):
    client.force_login(world.manager)
    listing = client.get(reverse("inventory:manage_import_list")).content.decode()
    assert "big.csv" in listing and world.partner_a.name in listing
    url = reverse("inventory:manage_import_detail", args=[stalled.pk])
    page = client.get(url).content.decode()
    assert "stopped moving" in page and reverse("inventory:manage_import_resume", args=[stalled.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inventory:manage_import_resume", args=[stalled.pk]), follow=True)
    stalled.refresh_from_db()
    assert stalled.status == ImportJob.Status.VALIDATED
    client.force_login(world.regional_manager)  # the Americas: partner A's upload is not theirs
    assert "big.csv" not in client.get(reverse("inventory:manage_import_list")).content.decode()
    assert client.get(url).status_code == 404
    assert client.post(reverse("inventory:manage_import_resume", args=[stalled.pk])).status_code == 404
    client.force_login(world.user_a)
    assert client.get(url).status_code == 403
