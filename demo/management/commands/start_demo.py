"""`manage.py start_demo`: what `make run` does, in one process: migrate, demo data, analytics, logins, serve.

Each step is skipped when there is nothing to do (no unapplied migration, partners already loaded, a full
recompute already done today), so a second start costs little more than Django's own start-up. The logins
are printed once, with the address the server really listens on; the development server's auto-reloader
restarts only the serving part (its child process skips the preparation).
"""

from __future__ import annotations

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from demo.arguments import seed_number
from demo.config import SIZES, default_anchor

from .demo_logins import format_logins

FIRST_STEPS = (
    "Where to start: sign in as `manager` (every region). /manage/ shows the ecosystem's KPIs and health,\n"
    "Notifications the last two weeks' registrations and claims, Deals the queue to approve or reject.\n"
    "Then sign in as `northwind-admin` to see the same channel from a partner's portal."
)


def browse_url(host: str, port: str) -> str:
    """The address to open in a browser: a server listening on every interface is reached on 127.0.0.1."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - only for display
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def split_address(value: str) -> tuple[str, str]:
    """'HOST:PORT' (IPv6 as '[::1]:8000') → (host, port); a clear error for anything else."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"--addr must look like 127.0.0.1:8000 (HOST:PORT), not {value!r}")
    return host.strip("[]") or "127.0.0.1", port


class Command(BaseCommand):
    help = (
        "Prepare the database and serve the app: apply migrations, load the demo data if the database has "
        "no partners, recompute the analytics unless a full recompute succeeded today, print the demo logins "
        "for the real address, then run the development server. What `make run` calls."
    )
    requires_system_checks: list[str] = []  # runserver performs them once, when it starts serving

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT to serve on (default 127.0.0.1:8000).")
        parser.add_argument("--size", choices=sorted(SIZES), default="small", help="Demo data size for a new database.")
        parser.add_argument("--seed", type=seed_number, default=42, help="Demo data random seed (default 42).")
        parser.add_argument("--noreload", action="store_true", help="Serve without the auto-reloader.")
        parser.add_argument("--prepare-only", action="store_true", help="Prepare and print the logins; do not serve.")

    def handle(self, *args, **options) -> None:
        host, port = split_address(options["addr"])
        # The auto-reloader runs this command again in a child process (RUN_MAIN=true) that only serves.
        if os.environ.get("RUN_MAIN") != "true":
            self.prepare(size=options["size"], seed=options["seed"])
            self.stdout.write(format_logins(self.login_rows(), browse_url(host, port)))
            self.stdout.write(FIRST_STEPS)
        if options["prepare_only"]:
            return
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        call_command("runserver", address, use_reloader=not options["noreload"])

    def prepare(self, *, size: str, seed: int) -> None:
        """Migrate, seed if empty, recompute if stale; one line per step."""
        started = time.monotonic()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self.stdout.write(f"Applying {len(plan)} migrations…")
            call_command("migrate", interactive=False, verbosity=0)
        from partners.models import Partner

        if not Partner.objects.exists():
            # The generators (numpy) load only when there is something to generate.
            from demo.runner import DemoDataRefusedError, seed_demo

            self.stdout.write(f"Loading the {size} demo data (seed {seed})…")
            try:
                result = seed_demo(size=size, seed=seed, anchor=default_anchor(), if_empty=True, write=lambda _: None)
            except DemoDataRefusedError as error:
                raise CommandError(str(error))
            if result.loaded:
                self.stdout.write(f"Demo data loaded in {result.timings['total']:.1f} s.")
        call_command("recompute_analytics", if_stale=True, stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(f"Ready in {time.monotonic() - started:.1f} s.")

    def login_rows(self) -> list[tuple[str, str, str, str]]:
        from demo.users import login_table

        return login_table()
