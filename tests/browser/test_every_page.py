"""Every page each role reaches from the navigation, and one detail page of each kind linked from them, in a real
browser: no console error, no request leaving this site, no error status, and no text a template slipped on
("None", "nan", "21th", "(s)"; tests.texts).

The data: the dashboards' ecosystem (months of deals, stock reports, claims and a full analytics recompute) plus
what the workflows write through their services: a channel conflict between two partners, a claim waiting for a
decision, a stock upload with a wrong row, a webhook, a support ticket with a comment and an internal note, and the
notifications all of these send. One browser page
is reused; each role logs in on it in turn, and the findings of all roles are reported together.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from deals.services import deal_create
from integrations.webhooks import webhook_endpoint_create
from inventory.imports import import_job_create
from support.services import ticket_comment, ticket_open
from tests import factories as f
from tests.browser.conftest import login
from tests.dashboards.conftest import build_eco
from tests.texts import text_defects
from warranty.services import claim_create

pytestmark = pytest.mark.django_db(transaction=True)

# (username, what the role is); every world user's password is "pw".
ROLES = [
    ("manager", "channel manager, every region"),
    ("amer_manager", "channel manager limited to the Americas"),
    ("admin_a", "partner admin"),
    ("user_a", "partner user"),
    ("dist_admin", "distributor admin"),
]
# Not pages of ours to crawl: downloads, the admin, the API's own pages, links that act or leave.
SKIP = re.compile(r"^/(admin|api)/|\.csv$|\.xlsx$|/open/$|[?&](export|download)=")
DETAIL = re.compile(r"/\d+/")


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    pages: int = 0

    def add(self, role: str, url: str, what: str) -> None:
        self.problems.append(f"{role} {url}: {what}")


def workflow_rows(world) -> None:
    """Rows the services write (and the notices they send): a conflict, a claim to decide, an upload, a webhook."""
    w = world
    router = f.ProductFactory(sku="NET-700", name="Edge router 700")
    lines = [{"product": router, "quantity": 4, "unit_price": Decimal("3125.00")}]
    close = date.today() + timedelta(days=40)
    for user, name in ((w.user_b, "Umbrella Corp"), (w.user_a, "umbrella corp")):
        customer = f.CustomerFactory(name=name, domain="umbrella.example")
        deal_create(partner=user.partner, user=user, customer=customer, lines=lines, expected_close_date=close)
    claim_create(
        partner=w.partner_a,
        user=w.user_a,
        product=router,
        serial_number="ER-0001",
        purchase_date=date.today() - timedelta(days=90),
        failure_date=date.today() - timedelta(days=3),
        failure_code=f.FailureCodeFactory(code="PWR"),
        parts_amount=Decimal("1180.00"),
        labour_amount=Decimal("95.50"),
        description="No power after a firmware update.",
    )
    yesterday = date.today() - timedelta(days=1)
    csv = f"sku,date,on_hand,units_sold,on_order\nNET-700,{yesterday},12,3,0\nNOPE-1,{yesterday},1,1,0\n"
    import_job_create(partner=w.partner_a, user=w.admin_a, filename="stock.csv", content=csv.encode())
    webhook_endpoint_create(user=w.admin_a, url="https://erp.example/hooks/prm", events=["deal.won"])
    ticket = ticket_open(
        partner=w.partner_a,
        user=w.user_a,
        product=router,
        category=f.TicketCategoryFactory(code="hardware-fault", name="Hardware fault"),
        severity="high",
        subject="Router reboots under load",
        description="Reboots twice a day since the firmware update.",
        customer_name="Umbrella Corp",
    )
    ticket_comment(ticket=ticket, user=w.manager, body="Please send the diagnostic bundle.")
    ticket_comment(ticket=ticket, user=w.manager, body="Known issue in this batch.", internal=True)


def check_page(page, role: str, findings: Findings, response) -> None:
    url = urlsplit(page.url).path + (f"?{urlsplit(page.url).query}" if urlsplit(page.url).query else "")
    findings.pages += 1
    if response is not None and response.status >= 400:
        findings.add(role, url, f"status {response.status}")
    text = page.locator("body").inner_text()
    for defect in text_defects(text):
        findings.add(role, url, defect)
    for error in page.console_errors:
        findings.add(role, url, f"console error: {error}")
    for request in page.external_requests:
        findings.add(role, url, f"request off this site: {request}")
    page.console_errors.clear()
    page.external_requests.clear()


def links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/") and not SKIP.search(h)]


def crawl(page, role: str, findings: Findings) -> set[str]:
    """Open the role's navigation pages, then one linked detail page of each kind; return the paths opened."""
    page.goto("/")
    page.wait_for_load_state("networkidle")
    nav = list(dict.fromkeys(links(page, "#mainnav a.nav-link, #mainnav a.dropdown-item")))
    assert nav, f"{role} has no navigation"
    opened: set[str] = set()
    details: dict[str, str] = {}
    for url in nav:
        response = page.goto(url)
        check_page(page, role, findings, response)
        opened.add(url)
        for href in links(page, "main a[href]"):
            path = href.split("#")[0]
            if DETAIL.search(path) and "?" not in path:
                details.setdefault(re.sub(r"\d+", "N", path), path)
    for url in details.values():
        response = page.goto(url)
        check_page(page, role, findings, response)
        opened.add(url)
    # What a script reports late (a chart drawn after "load") is counted on the page it arrives on, and at the end.
    page.wait_for_load_state("networkidle")
    check_page(page, role, findings, None)
    return opened


def test_every_page_of_every_role_is_clean(page, world, django_capture_on_commit_callbacks):
    started = time.monotonic()
    build_eco(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        workflow_rows(world)
    data_seconds = time.monotonic() - started
    findings = Findings()
    opened: dict[str, set[str]] = {}
    for username, _ in ROLES:
        page.context.clear_cookies()
        login(page, username, "pw")
        opened[username] = crawl(page, username, findings)
        # The error pages in the layout, for every role: a missing page, and the other area's start page.
        # Their own status is the one console line they may cause.
        other_area = "/portal/" if "manager" in username else "/manage/"
        for url, status in (("/no-such-page/", 404), (other_area, 403)):
            response = page.goto(url)
            assert response.status == status
            page.console_errors[:] = [e for e in page.console_errors if f"status of {status}" not in e]
            check_page(page, username, findings, None)
            way_back = page.locator(f"[data-error-page='{status}'] a", has_text="Go to your start page")
            assert way_back.count() == 1 and page.locator("#mainnav").count() == 1

    # The crawl reached the pages with content: the lists and a detail page of each kind.
    manager = opened["manager"]
    for must in ("/manage/", "/manage/partners/", "/manage/deals/", "/manage/warranty/", "/notifications/"):
        assert must in manager, f"the manager's crawl missed {must}"
    assert any(re.fullmatch(r"/manage/partners/\d+/", u) for u in manager)
    assert any(re.fullmatch(r"/manage/deals/\d+/", u) for u in manager)
    assert any(re.fullmatch(r"/manage/warranty/\d+/", u) for u in manager)
    assert any(re.fullmatch(r"/portal/deals/\d+/", u) for u in opened["user_a"])
    assert any(re.fullmatch(r"/portal/warranty/\d+/", u) for u in opened["user_a"])
    assert "/portal/users/" in opened["admin_a"] and "/portal/users/" not in opened["user_a"]
    crawl_seconds = time.monotonic() - started - data_seconds
    assert findings.pages > 50, f"{findings.pages} pages in {crawl_seconds:.0f} s after {data_seconds:.0f} s of data"
    assert findings.problems == [], "\n".join(findings.problems)
