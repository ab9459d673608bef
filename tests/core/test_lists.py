"""The shared list page (core.lists) on every list: exports, header sorting, forgiving pages, query counts.

Each list is described once in `LISTS`: who looks at it, how to write rows of the viewer's side and of the
other side (another partner, or for a region-limited manager another region), a filter with the rows it
must keep (computed here with the ORM, not read from the page), a sort key and the column that names a row
in the export. Every check then runs on every list.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from core.lists import ListColumn, parse_sort
from core.spreadsheets import csv_value
from deals.models import DealRegistration, DealStatus
from ingest.models import ImportBatch
from inventory.models import ImportJob, InventoryReport
from notifications.models import Notification
from sellout.models import SellOutLine
from tests import factories as f
from warranty.models import ClaimStatus, WarrantyClaim

pytestmark = pytest.mark.django_db

USERNAMES = itertools.count(1)  # letters and digits only: the same order under any collation
FORMULA = '=HYPERLINK("http://example.invalid")'


# --- the rows of each list ------------------------------------------------------------------------------


def _deals(partner, n: int, *, tag: str) -> None:
    types = [DealRegistration.DealType.NEW, DealRegistration.DealType.RENEWAL]
    for i in range(n):
        customer = f.CustomerFactory(name=FORMULA if i == 0 else f"{tag} customer {i}")
        f.DealFactory(
            partner=partner,
            customer=customer,
            deal_type=types[i % 2],
            lines=[(f.ProductFactory(), 1, Decimal(100 + 37 * ((i * 7) % 11)))],
            submitted_at=timezone.now() - timedelta(days=i),
        )


def _inventory(partner, n: int, *, tag: str) -> None:
    sources = [InventoryReport.Source.PORTAL, InventoryReport.Source.CSV]
    for i in range(n):
        product = f.ProductFactory(name=FORMULA if i == 0 else f"{tag} product {i}")
        f.InventoryReportFactory(
            partner=partner, product=product, on_hand=(i * 13) % 17, source=sources[i % 2], date=date.today()
        )


def _imports(partner, n: int, *, tag: str) -> None:
    statuses = [ImportJob.Status.DONE, ImportJob.Status.FAILED]
    user = User.objects.filter(partner=partner).first()
    for i in range(n):
        ImportJob.objects.create(
            partner=partner,
            user=user,
            filename=f"{FORMULA}{tag}.csv" if i == 0 else f"{tag}-{i}.csv",
            content=b"",
            status=statuses[i % 2],
            total_rows=(i * 7) % 11,
        )


INVOICE_LINES = itertools.count(1)


def _sellout(partner, n: int, *, tag: str) -> None:
    kinds = ["sale", "return"]
    for i in range(n):
        f.SellOutLineFactory(
            reporter=partner,
            invoice_number=FORMULA if i == 0 else f"{tag}-INV-{i}",
            invoice_line=next(INVOICE_LINES),
            transaction_type=kinds[i % 2],
            quantity=(i * 13) % 17 + 1,
        )


def _batches(partner, n: int, *, tag: str) -> None:
    channels = ["csv", "api"]
    for i in range(n):
        f.ImportBatchFactory(
            partner=partner,
            channel=channels[i % 2],
            filename=f"{FORMULA}{tag}.csv" if i == 0 else f"{tag}-{i}.csv",
            created_count=(i * 7) % 11,
        )


def _claims(partner, n: int, *, tag: str) -> None:
    for i in range(n):
        f.WarrantyClaimFactory(
            partner=partner,
            serial_number=FORMULA if i == 0 else f"{tag}-SN-{i}",
            parts_amount=Decimal(50 + 23 * ((i * 5) % 7)),
            out_of_warranty=i % 2 == 1,
            status=ClaimStatus.SUBMITTED,
            submitted_at=timezone.now() - timedelta(days=i),
        )


def _notifications(user, n: int, *, tag: str) -> None:
    for i in range(n):
        Notification.objects.create(
            recipient=user,
            verb="deal.approved",
            title=f"{tag} notice {(i * 7) % 11:02d}-{i}",
            body=FORMULA if i == 0 else "",
            read_at=None if i % 2 else timezone.now(),
        )


def _users(partner, n: int, *, tag: str) -> None:
    for i in range(n):
        factory = f.PartnerAdminFactory if i % 2 else f.PartnerUserFactory
        factory(partner=partner, username=f"{tag.lower()}{next(USERNAMES):04d}", first_name=FORMULA if i == 0 else "")


@dataclass(frozen=True)
class ListCase:
    url: str
    viewer: str  # attribute of the world
    build: Callable[..., None]  # (owner, n, *, tag): rows of one side
    own: str  # world attribute owning the viewer's rows (a partner, or the viewer for notifications)
    other: str  # the side the viewer must never see
    queryset: Callable[[Any], Any]  # owner → the model's rows of that side
    ident: str  # the export column naming a row
    ident_of: Callable[[Any], str]  # a row → that name
    filter_query: dict[str, str]
    filter_rows: Callable[[Any], Any]  # a side's rows → the rows the filter keeps
    sort_key: str
    sort_value: Callable[[Any], Any]
    table: bool = True  # a table with sortable headers (notifications are a list of cards)


def _deal_case(url: str, viewer: str, own: str, other: str) -> ListCase:
    return ListCase(
        url=url,
        viewer=viewer,
        build=_deals,
        own=own,
        other=other,
        queryset=lambda owner: DealRegistration.objects.filter(partner=owner),
        ident="Reference",
        ident_of=lambda deal: deal.reference,
        filter_query={"deal_type": "renewal"},
        filter_rows=lambda rows: rows.filter(deal_type="renewal"),
        sort_key="amount",
        sort_value=lambda deal: deal.amount,
    )


INVENTORY = {
    "build": _inventory,
    "queryset": lambda owner: InventoryReport.objects.filter(partner=owner),
    "ident": "SKU",
    "ident_of": lambda row: row.product.sku,
    "filter_query": {"source": "csv"},
    "filter_rows": lambda rows: rows.filter(source="csv"),
    "sort_key": "on_hand",
    "sort_value": lambda row: row.on_hand,
}
IMPORTS = {
    "build": _imports,
    "queryset": lambda owner: ImportJob.objects.filter(partner=owner),
    "ident": "File",
    "ident_of": lambda job: job.filename,
    "filter_query": {"status": "done"},
    "filter_rows": lambda rows: rows.filter(status="done"),
    "sort_key": "rows",
    "sort_value": lambda job: job.total_rows,
}
CLAIMS = {
    "build": _claims,
    "queryset": lambda owner: WarrantyClaim.objects.filter(partner=owner),
    "ident": "Reference",
    "ident_of": lambda claim: claim.reference,
    "filter_query": {"out_of_warranty": "true"},
    "filter_rows": lambda rows: rows.filter(out_of_warranty=True),
    "sort_key": "claimed",
    "sort_value": lambda claim: claim.claimed_amount,
}
SELLOUT = {
    "build": _sellout,
    "queryset": lambda owner: SellOutLine.objects.filter(reporter=owner),
    "ident": "Invoice",
    "ident_of": lambda line: line.invoice_number,
    "filter_query": {"transaction_type": "return"},
    "filter_rows": lambda rows: rows.filter(transaction_type="return"),
    "sort_key": "quantity",
    "sort_value": lambda line: line.quantity,
}
BATCHES = {
    "build": _batches,
    "queryset": lambda owner: ImportBatch.objects.filter(partner=owner, kind="sellout"),
    "ident": "File or reference",
    "ident_of": lambda batch: batch.filename,
    "filter_query": {"channel": "csv"},
    "filter_rows": lambda rows: rows.filter(channel="csv"),
    "sort_key": "created",
    "sort_value": lambda batch: batch.created_count,
}

LISTS = {
    "portal deals": _deal_case("deals:deal_list", "user_a", "partner_a", "partner_b"),
    "manager deals": _deal_case("deals:manage_deal_list", "regional_manager", "partner_b", "partner_a"),
    "approval queue": _deal_case("deals:manage_queue", "regional_manager", "partner_b", "partner_a"),
    "portal inventory": ListCase("inventory:inventory_list", "user_a", own="partner_a", other="partner_b", **INVENTORY),
    "manager inventory": ListCase(
        "inventory:manage_inventory_list", "regional_manager", own="partner_b", other="partner_a", **INVENTORY
    ),
    "portal uploads": ListCase("inventory:import_list", "user_a", own="partner_a", other="partner_b", **IMPORTS),
    "manager uploads": ListCase(
        "inventory:manage_import_list", "regional_manager", own="partner_b", other="partner_a", **IMPORTS
    ),
    "portal sell-out": ListCase("sellout:line_list", "user_a", own="partner_a", other="partner_b", **SELLOUT),
    "manager sell-out": ListCase(
        "sellout:manage_line_list", "regional_manager", own="partner_b", other="partner_a", **SELLOUT
    ),
    "sell-out imports": ListCase(
        "sellout:manage_batch_list", "regional_manager", own="partner_b", other="partner_a", **BATCHES
    ),
    "portal claims": ListCase("warranty:claim_list", "user_a", own="partner_a", other="partner_b", **CLAIMS),
    "claim review queue": ListCase(
        "warranty:manage_claim_list", "regional_manager", own="partner_b", other="partner_a", **CLAIMS
    ),
    "notifications": ListCase(
        "notifications:list",
        "user_a",
        build=_notifications,
        own="user_a",
        other="user_b",
        queryset=lambda owner: Notification.objects.filter(recipient=owner),
        ident="Title",
        ident_of=lambda n: n.title,
        filter_query={"unread": "1"},
        filter_rows=lambda rows: rows.filter(read_at__isnull=True),
        sort_key="title",
        sort_value=lambda n: n.title,
        table=False,
    ),
    "partner users": ListCase(
        "accounts:user_list",
        "admin_a",
        build=_users,
        own="partner_a",
        other="partner_b",
        queryset=lambda owner: User.objects.filter(partner=owner),
        ident="Username",
        ident_of=lambda u: u.username,
        filter_query={"role": "partner_admin"},
        filter_rows=lambda rows: rows.filter(role="partner_admin"),
        sort_key="username",
        sort_value=lambda u: u.username,
    ),
}
CASES = list(LISTS.values())
IDS = list(LISTS)


def _side(world, case: ListCase, name: str, n: int) -> Any:
    owner = getattr(world, name)
    case.build(owner, n, tag=name.upper().replace("_", ""))
    return owner


def _setup(client, world, case: ListCase, n: int = 4):
    own = _side(world, case, case.own, n)
    other = _side(world, case, case.other, n)
    client.force_login(getattr(world, case.viewer))
    return own, other


def _csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _xlsx_rows(response) -> list[dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    # A read-only sheet leaves out the empty cells at the end of a row.
    return [dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True)) for row in rows]


def _idents(case: ListCase, rows) -> set[str]:
    return {case.ident_of(row) for row in rows}


def _exported(case: ListCase, rows: list[dict]) -> list[str]:
    return [str(row[case.ident]).removeprefix("'") for row in rows]


# --- exports --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_export_holds_exactly_the_filtered_rows_of_the_viewers_side(client, world, case, export_format):
    own, other = _setup(client, world, case)
    response = client.get(reverse(case.url), {**case.filter_query, "export": export_format})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    rows = _csv_rows(response) if export_format == "csv" else _xlsx_rows(response)
    exported = _exported(case, rows)
    expected = _idents(case, case.filter_rows(case.queryset(own)))
    assert expected, "the filter keeps some rows of the viewer's side"
    assert set(exported) == expected and len(exported) == len(expected)
    assert not set(exported) & _idents(case, case.queryset(other))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_export_has_every_page_in_the_lists_order(client, world, case, monkeypatch):
    own, _ = _setup(client, world, case, n=6)
    url = reverse(case.url)
    monkeypatch.setattr(resolve(url).func.view_class, "paginate_by", 2)
    for sort in (case.sort_key, f"-{case.sort_key}"):
        listed: list[str] = []
        page = 1
        while True:  # walk the pages two rows at a time
            response = client.get(url, {"sort": sort, "page": page})
            listed += [case.ident_of(row) for row in response.context["object_list"]]
            if not response.context["page_obj"].has_next():
                break
            page += 1
        exported = _exported(case, _csv_rows(client.get(url, {"sort": sort, "export": "csv"})))
        assert exported == listed
        assert set(exported) == _idents(case, case.queryset(own))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_export_neutralises_formulas(client, world, case):
    _setup(client, world, case, n=2)
    text = b"".join(client.get(reverse(case.url), {"export": "csv"}).streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert not any(cell.startswith("=") for cell in cells)
    sheet = _xlsx_rows(client.get(reverse(case.url), {"export": "xlsx"}))
    values = [v for row in sheet for v in row.values() if isinstance(v, str)]
    assert any(v.startswith("'=HYPERLINK") for v in values) and not any(v.startswith("=") for v in values)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_export_reads_rows_in_a_constant_number_of_queries(client, world, case):
    """The rows come from one streamed query, whatever their number: never one query per row."""
    _setup(client, world, case, n=2)
    url = reverse(case.url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"export": "csv"})
            rows = _csv_rows(response)
        return len(queries), len(rows)

    few_queries, few_rows = count()
    _side(world, case, case.own, 6)
    many_queries, many_rows = count()
    assert many_rows > few_rows
    assert many_queries == few_queries


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bad_filters_or_format_answer_400_with_the_reason(client, world, case):
    _setup(client, world, case, n=1)
    response = client.get(reverse(case.url), {"export": "pdf"})
    assert response.status_code == 400 and b"export=csv" in response.content
    bad = {"deal_type": "bogus", "source": "bogus", "status": "bogus", "role": "bogus"}
    name = next(iter(case.filter_query))
    if name in bad:
        response = client.get(reverse(case.url), {name: bad[name], "export": "csv"})
        assert response.status_code == 400
        assert name.encode() in response.content


def test_a_region_limited_manager_exports_nothing_of_another_region_even_when_asking_for_it(client, world):
    own, other = _setup(client, world, LISTS["manager deals"])
    response = client.get(reverse("deals:manage_deal_list"), {"partner": other.pk, "export": "csv"})
    # A partner outside the manager's regions is not a choice: the filter refuses it rather than widen the scope.
    assert response.status_code == 400 and b"partner" in response.content
    rows = _csv_rows(client.get(reverse("deals:manage_deal_list"), {"region": world.emea.pk, "export": "csv"}))
    assert rows == []


def test_export_columns_read_paths_and_methods():
    deal = f.DealFactory.build(reference="DR-1", status=DealStatus.APPROVED, partner=f.PartnerFactory.build(name="P"))
    assert ListColumn("Partner", "partner.name").value(deal) == "P"
    assert ListColumn("Status", "get_status_display").value(deal) == "Approved"
    assert ListColumn("Tier", "partner.tier.name").value(f.DealFactory.build(partner=None)) is None
    assert ListColumn("Ref", lambda d: d.reference.lower()).value(deal) == "dr-1"


# --- sorting --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_headers_sort_both_ways(client, world, case):
    own, _ = _setup(client, world, case, n=5)
    url = reverse(case.url)
    values = sorted(case.sort_value(row) for row in case.queryset(own))
    up = client.get(url, {"sort": case.sort_key})
    assert [case.sort_value(row) for row in up.context["object_list"]] == values
    down = client.get(url, {"sort": f"-{case.sort_key}"})
    assert [case.sort_value(row) for row in down.context["object_list"]] == values[::-1]
    if case.table:
        html = up.content.decode()
        assert 'aria-sort="ascending"' in html and "▲" in html
        assert f"sort=-{case.sort_key}" in html  # a second click reverses
        assert 'aria-sort="descending"' in down.content.decode()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_an_unknown_sort_key_keeps_the_default_order(client, world, case):
    _setup(client, world, case, n=3)
    url = reverse(case.url)
    default = [case.ident_of(row) for row in client.get(url).context["object_list"]]
    for bogus in ("password", "-partner__users__password", "__class__", "-"):
        response = client.get(url, {"sort": bogus})
        assert response.status_code == 200
        assert [case.ident_of(row) for row in response.context["object_list"]] == default
        assert "aria-sort" not in response.content.decode()


def test_parse_sort_accepts_only_whitelisted_keys():
    allowed = {"amount": "amount"}
    assert parse_sort("amount", allowed) == ("amount", False)
    assert parse_sort("-amount", allowed) == ("amount", True)
    assert parse_sort("partner__password", allowed) is None
    assert parse_sort("", allowed) is None and parse_sort(None, allowed) is None


# --- pages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_page_past_the_end_shows_the_last_page(client, world, case, monkeypatch):
    _setup(client, world, case, n=5)
    monkeypatch.setattr(resolve(reverse(case.url)).func.view_class, "paginate_by", 2)
    response = client.get(reverse(case.url), {"page": 9999})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.number == page.paginator.num_pages > 1
    assert client.get(reverse(case.url), {"page": "abc"}).context["page_obj"].number == 1


def test_the_partner_list_shows_its_last_page_too(client, world):
    client.force_login(world.manager)
    response = client.get(reverse("dashboards:partner_list"), {"page": 9999})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.number == page.paginator.num_pages


def test_pagination_links_first_last_and_a_window_keeping_the_filters(client, world):
    own, _ = _setup(client, world, LISTS["portal deals"], n=1)
    for i in range(9 * 25):
        f.DealFactory(partner=own, lines=[], deal_type="renewal" if i % 2 else "new")
    client.force_login(world.user_a)
    response = client.get(reverse("deals:deal_list"), {"page": 5, "sort": "amount"})
    html = response.content.decode()
    last = response.context["paginator"].num_pages
    assert last == 10
    assert "?sort=amount&amp;page=1" in html and f"?sort=amount&amp;page={last}" in html  # first and last
    for number in (3, 4, 6, 7):
        assert f"?sort=amount&amp;page={number}" in html
    assert "?sort=amount&amp;page=9" not in html  # outside the window: an ellipsis instead
    assert 'aria-current="page"' in html and "…" in html


# --- query counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_list_pages_keep_a_constant_query_count(client, world, case):
    _setup(client, world, case, n=2)
    url = reverse(case.url)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"sort": case.sort_key})
    _side(world, case, case.own, 8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"sort": case.sort_key})
    assert len(response.context["object_list"]) > 2
    assert len(many) == len(few)


# --- money in chart CSVs --------------------------------------------------------------------------------


def test_money_is_written_to_the_cent():
    for value in (Decimal("3532586.3500000000"), Decimal("10.005"), 2.675, 7, Decimal("-0.004")):
        expected = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert csv_value(value, "money") == str(expected)
    assert csv_value(Decimal("3532586.3500000000"), "money") == "3532586.35"
    assert csv_value(None, "money") == ""


def test_notifications_offer_newest_or_oldest_first(client, world):
    _setup(client, world, LISTS["notifications"], n=3)
    own = Notification.objects.filter(recipient=world.user_a)
    newest = client.get(reverse("notifications:list"), {"unread": "1"})
    html = newest.content.decode()
    assert 'href="?unread=1&amp;sort=created"' in html and 'href="?unread=1"' in html
    oldest = client.get(reverse("notifications:list"), {"unread": "1", "sort": "created"})
    expected = list(own.filter(read_at__isnull=True).order_by("created_at", "pk").values_list("pk", flat=True))
    assert [n.pk for n in oldest.context["object_list"]] == expected
    assert [n.pk for n in newest.context["object_list"]] == expected[::-1]
