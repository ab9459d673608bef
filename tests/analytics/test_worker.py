"""End to end on real Celery workers (PostgreSQL + Redis): a full recompute, and one that survives a killed worker.

The workers are separate processes started with `celery -A prm worker -Q analytics,default -c 2 -P prefork`
against the test database; the test sends the job through Redis and compares the rows the workers wrote with
a single-process (eager) run of the same recompute.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from analytics import services
from analytics.models import EcosystemHealth, JobRun, KpiSnapshot, PartnerHealthScore
from prm.celery import app
from tests.analytics.conftest import NOW, build_ecosystem
from tests.analytics.test_recompute import everything

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 4


def worker_database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """A `celery worker` subprocess in its own process group, logging to a temporary file.

    `app` is the Celery app module: prm's own, or a test one that slows chunks down.
    """

    def __init__(self, name: str, app: str = "prm"):
        self.log = tempfile.NamedTemporaryFile(prefix=f"analytics-{name}-", suffix=".log", delete=False)  # noqa: SIM115
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "prm.settings",
            "DATABASE_URL": worker_database_url(),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "-Q",
            "analytics,default",
            "-c",
            "2",
            "-P",
            "prefork",
            "-n",
            f"{name}@%h",
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
        ]
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: nothing gets to acknowledge or clean up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]


@pytest.fixture
def through_redis(settings):
    """Send tasks to the broker instead of running them here; empty the queues first."""
    settings.PRM_ANALYTICS_HISTORY_MONTHS = 15
    app.conf.task_always_eager = False
    app.control.purge()
    yield
    app.conf.task_always_eager = True


def reference_rows() -> dict:
    """The rows of a single-process (eager) run of the same recompute, then a clean slate."""
    app.conf.task_always_eager = True
    run = services.recompute_start(now=NOW)
    assert JobRun.objects.get(pk=run.pk).status == "succeeded"
    rows = everything()
    for model in (KpiSnapshot, PartnerHealthScore, EcosystemHealth):
        model.objects.all().delete()
    app.conf.task_always_eager = False
    return rows


def wait_for(run_id: int, workers: list[Worker], *, seconds: float, until=None) -> JobRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = JobRun.objects.get(pk=run_id)
        if (until or (lambda r: r.status in ("succeeded", "failed")))(run):
            return run
        time.sleep(0.3)
    logs = "\n".join(w.output() for w in workers)
    raise AssertionError(f"run {run_id} stuck at {run.status} {run.chunks_done}/{run.chunks_total}\n{logs}")


def test_a_full_recompute_runs_on_real_workers(through_redis, settings):
    build_ecosystem()
    expected = reference_rows()
    worker = Worker("a")
    try:
        settings.PRM_ANALYTICS_CHUNK_SIZE = 2  # recorded on the run, so the worker splits it the same way
        run = services.recompute_start(now=NOW)
        run = wait_for(run.pk, [worker], seconds=180)
        assert run.status == "succeeded", run.error + worker.output()
        assert run.chunks_done == run.chunks_total == 1 + 4 + 1 + 4
        assert everything() == expected
    finally:
        worker.stop()


def test_a_worker_killed_mid_chunk_leaves_the_chunk_to_another_worker(through_redis, settings):
    build_ecosystem()
    expected = reference_rows()
    # Its chunks wait 2 s before working (a test-only task_prerun handler), so the kill lands while they run.
    first = Worker("doomed", app="tests.analytics.slow_chunks")
    second = None
    try:
        settings.PRM_ANALYTICS_CHUNK_SIZE = 1
        run = services.recompute_start(now=NOW)
        run = wait_for(run.pk, [first], seconds=120, until=lambda r: r.chunks_done >= 2)
        first.kill()
        run.refresh_from_db()
        assert run.status == "running" and run.chunks_done < run.chunks_total
        time.sleep(VISIBILITY_TIMEOUT + 1)  # unacknowledged messages become visible again
        second = Worker("rescuer")
        run = wait_for(run.pk, [first, second], seconds=240)
        assert run.status == "succeeded", run.error + second.output()
        assert run.chunks_done == run.chunks_total and sorted(run.done_chunks) == list(range(run.chunks_total))
        assert everything() == expected
    finally:
        first.kill()
        if second:
            second.stop()
