"""`manage.py recompute_analytics`: what `make run` calls each time it starts."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from analytics.models import JobRun, KpiSnapshot

# The command queues the job after commit and waits for it, as it does outside tests.
pytestmark = pytest.mark.django_db(transaction=True)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("recompute_analytics", *args, stdout=out)
    return out.getvalue()


def test_if_stale_computes_once_a_day_and_then_skips(eco):
    first = _run("--if-stale")
    assert "Done in" in first
    assert KpiSnapshot.objects.exists()
    assert JobRun.objects.filter(status=JobRun.Status.SUCCEEDED).count() == 1

    second = _run("--if-stale")
    assert "up to date" in second and "Skipped" in second
    assert JobRun.objects.count() == 1  # nothing queued

    assert "Done in" in _run()  # without the flag it always recomputes
    assert JobRun.objects.filter(status=JobRun.Status.SUCCEEDED).count() == 2


def test_if_stale_ignores_a_failed_run(eco):
    JobRun.objects.create(kind=JobRun.Kind.FULL_RECOMPUTE, status=JobRun.Status.FAILED, error="broken")
    assert "Done in" in _run("--if-stale")
