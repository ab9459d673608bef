"""Reading an uploaded sell-out CSV: the shared file rules (ingest.csvfile), then every row through
`SellOutRowValidator` for the uploading partner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ingest.csvfile import validate_csv_with
from ingest.validation import RowValidation
from partners.models import Partner

from .validation import COLUMNS, SellOutRowValidator, required_columns

TEMPLATE_HEADER = ",".join(COLUMNS)
# The example rows of the downloadable example file (and of the upload page): a sale with serials, a
# return of one of them, a sale to a reseller, a transfer between the reporter's own sites.
EXAMPLE_ROWS = (
    (
        "INV-2026-0412",
        "1",
        "2026-03-02",
        "sale",
        "NET-SW24",
        "",
        "2",
        "1450.00",
        "EUR",
        "",
        "",
        "Acme Widgets GmbH",
        "DE",
        "10115",
        "acme.example",
        "SN-100231;SN-100232",
    ),
    (
        "INV-2026-0412",
        "2",
        "2026-03-02",
        "sale",
        "NET-AP10",
        "",
        "5",
        "189.90",
        "EUR",
        "",
        "",
        "Acme Widgets GmbH",
        "DE",
        "10115",
        "acme.example",
        "",
    ),
    (
        "CN-2026-0031",
        "1",
        "2026-03-09",
        "return",
        "NET-SW24",
        "",
        "1",
        "1450.00",
        "EUR",
        "",
        "",
        "Acme Widgets GmbH",
        "DE",
        "10115",
        "acme.example",
        "SN-100232",
    ),
    (
        "INV-2026-0420",
        "1",
        "2026-03-10",
        "transfer",
        "NET-AP10",
        "",
        "10",
        "0.00",
        "EUR",
        "",
        "Warehouse Lyon",
        "",
        "",
        "",
        "",
        "",
    ),
)


def example_csv() -> str:
    """The template's header and example rows (values as a spreadsheet shows them)."""
    lines = [TEMPLATE_HEADER, *(",".join(row) for row in EXAMPLE_ROWS)]
    return "\r\n".join(lines) + "\r\n"


def validate_csv(
    content: bytes,
    *,
    reporter: Partner,
    today: date | None = None,
    max_errors: int | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> RowValidation:
    """Check a whole sell-out file of `reporter` without writing anything."""
    return validate_csv_with(
        content,
        SellOutRowValidator(reporter=reporter, today=today, max_errors=max_errors),
        columns=COLUMNS,
        required=required_columns(),
        progress=progress,
        progress_every=progress_every,
    )
