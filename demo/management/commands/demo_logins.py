"""`manage.py demo_logins`: print the demo usernames and passwords (they are published, not secret)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.users import login_table

DEFAULT_URL = "http://127.0.0.1:8000/"  # where `make run` serves by default


def format_logins(rows: list[tuple[str, str, str, str]], url: str = DEFAULT_URL) -> str:
    """A plain-text table of the demo logins; says how to create them when there are none."""
    if not rows:
        return "No demo logins yet: run `manage.py seed_demo --size small` first."
    header = ("username", "password", "role", "partner")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    lines = [f"Demo logins ({url}):"]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        lines.append("  " + "  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


class Command(BaseCommand):
    help = "Print the demo logins created by seed_demo (username, password, role, partner)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default=DEFAULT_URL, help="Where the app is served.")

    def handle(self, *args, **options) -> None:
        self.stdout.write(format_logins(login_table(), options["url"]))
