"""Benchmarks against the large data set (`make bench`); see docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(heading: str, section: str) -> None:
    """Replace the `heading` section of docs/benchmarks.md (up to the next "## " heading) with `section`,
    or append it when the file has none; the hand-written sections around it stay as they are."""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if heading in text:
        head, _, rest = text.partition(heading)
        tail = rest.split("\n## ", 1)
        text = head + section + ("\n## " + tail[1] if len(tail) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def data_scale() -> dict:
    """How large the loaded data is, for the figures' context (Django must be set up)."""
    from deals.models import DealRegistration
    from inventory.models import InventoryReport
    from partners.models import Partner
    from warranty.models import WarrantyClaim

    return {
        "partners": Partner.objects.count(),
        "deals": DealRegistration.objects.count(),
        "inventory_rows": InventoryReport.objects.count(),
        "claims": WarrantyClaim.objects.count(),
    }
