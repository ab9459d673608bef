"""The Celery app for a worker the tests want to kill mid-chunk: `celery -A tests.analytics.slow_chunks worker`.

It is prm's app with one test-only `task_prerun` handler: each chunk of a recompute waits
PRM_TEST_CHUNK_PAUSE seconds (default 2) before working, so that a kill lands while chunks are in flight.
"""

from __future__ import annotations

import os
import time

from celery.signals import task_prerun

from prm.celery import app

PAUSED = ("analytics.tasks.compute_chunk", "analytics.tasks.compute_ecosystem")


@task_prerun.connect
def pause_before_each_chunk(sender=None, **_):
    if sender is not None and sender.name in PAUSED:
        time.sleep(float(os.environ.get("PRM_TEST_CHUNK_PAUSE", "2")))


__all__ = ["app"]
