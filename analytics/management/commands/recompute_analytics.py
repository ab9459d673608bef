"""`manage.py recompute_analytics`: recompute every KPI and health score now (what the nightly job does)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from analytics import services
from analytics.models import JobRun


class Command(BaseCommand):
    help = (
        "Queue a full recompute of the KPIs and health scores (or --current for this year's periods only) and "
        "wait for it. Without Redis the work runs right here; with workers it runs on the analytics queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--current", action="store_true", help="Only this year's periods and today's health.")
        parser.add_argument("--no-wait", action="store_true", help="Queue the job and return at once.")
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="Do nothing when a full recompute already succeeded today (UTC): what `make run` uses, so that "
            "starting again is quick. Changes since then are refreshed partner by partner as they happen.",
        )

    def handle(self, *args, **options) -> None:
        kind = JobRun.Kind.CURRENT_PERIOD if options["current"] else JobRun.Kind.FULL_RECOMPUTE
        if options["if_stale"]:
            today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
            done = (
                JobRun.objects.filter(
                    kind=JobRun.Kind.FULL_RECOMPUTE, status=JobRun.Status.SUCCEEDED, finished_at__gte=today
                )
                .order_by("-finished_at")
                .first()
            )
            if done is not None:
                self.stdout.write(
                    f"Analytics are up to date: full recompute #{done.pk} finished "
                    f"{done.finished_at:%H:%M} UTC today. Skipped."
                )
                return
        started = time.monotonic()
        run = services.recompute_start(kind=kind)
        self.stdout.write(f"{run.get_kind_display()} #{run.pk} queued.")
        while not options["no_wait"]:
            run.refresh_from_db()
            if run.status in (JobRun.Status.SUCCEEDED, JobRun.Status.FAILED):
                break
            time.sleep(1)
        if run.status == JobRun.Status.FAILED:
            self.stderr.write(f"Failed: {run.error}")
            raise SystemExit(1)
        if run.status == JobRun.Status.SUCCEEDED:
            self.stdout.write(f"Done in {time.monotonic() - started:.1f} s ({run.chunks_total} chunks).")
