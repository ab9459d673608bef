"""`manage.py seed_demo`: load a believable, deterministic demo partner ecosystem."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.arguments import anchor_date, seed_number
from demo.config import SIZES, default_anchor
from demo.runner import DemoDataRefusedError, seed_demo
from demo.users import login_table

from .demo_logins import format_logins


class Command(BaseCommand):
    help = (
        "Load the demo ecosystem: partners of every type, two years of deal registrations, inventory "
        "reports and warranty claims, notifications of the last weeks, plus the demo logins. Deterministic for a "
        "--seed and day (history ends at 00:00 UTC today, or --anchor). Sizes: small ≈ 50 partners / "
        "5,000 deals (seconds), medium ≈ 500 / 100,000, large = 5,000 partners / 1,000,000 deals / "
        "2,000,000 inventory rows / 200,000 claims (PostgreSQL COPY, about 1.5 minutes; SQLite falls back "
        "to batched INSERTs: about 2.5 minutes, a 1.6 GB file and slow pages, so use PostgreSQL for it). "
        "Refuses a database with real data unless --force; an earlier demo load is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small", help="How much data (default small).")
        parser.add_argument("--seed", type=seed_number, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--anchor",
            type=anchor_date,
            default=None,
            help="Date the history runs up to, at 00:00 UTC (default: today, UTC).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) if the database already has partners, e.g. on a second `make run`.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though the database holds real data (real rows are kept, demo logins reset).",
        )

    def handle(self, *args, **options) -> None:
        anchor = options["anchor"] or default_anchor()
        try:
            result = seed_demo(
                size=options["size"],
                seed=options["seed"],
                anchor=anchor,
                force=options["force"],
                if_empty=options["if_empty"],
                write=self.stdout.write,
            )
        except DemoDataRefusedError as error:
            raise CommandError(str(error))
        if not result.loaded:
            self.stdout.write(result.message)
            return
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {result.timings['total']:.1f}s."))
        self.stdout.write(format_logins(login_table()))
