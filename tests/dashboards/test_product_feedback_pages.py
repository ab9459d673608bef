"""The product feedback pages: managers only, a regional manager's figures are its regions', every number links
to the claims or deals it counts, warnings on top, a fixed number of queries, exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.feedback_store import product_feedback_refresh
from analytics.periods import Window
from notifications.models import Notification
from tests import factories as f
from tests.analytics.feedback_data import build_feedback_data
from tests.texts import text_defects

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    """The constructed data with its spike in the month in progress, computed as the analytics run does."""
    today = timezone.now().date()
    products = build_feedback_data(world, spike_month=date(today.year, today.month, 1))
    product_feedback_refresh(window=Window.full(timezone.now(), 3))
    return products


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _rows(response) -> dict[str, list[str]]:
    """The product list's rows by SKU: the cells' text."""
    html = response.content.decode()
    body = html[html.index("<tbody>", html.index("Products with their feedback figures")) :]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body[: body.index("</tbody>")], re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells
    return rows


@pytest.mark.parametrize("who", ["admin_a", "user_a", "distributor_admin", "admin_b"])
def test_partners_are_refused(client, world, data, who):
    user = getattr(world, who)
    for url in (reverse("dashboards:product_list"), reverse("dashboards:product_detail", args=[data["a"].pk])):
        assert _get(client, user, url).status_code == 403
        assert _get(client, user, url, export="csv").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, data):
    response = client.get(reverse("dashboards:product_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_manager_sees_the_channel_and_the_warning_on_top(client, world, data):
    response = _get(client, world.manager, reverse("dashboards:product_list"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = _rows(response)
    # NW-A over the months shown: 1,008 units last month (8 by sell-out, 1,000 from stock) and 1,500 this month.
    assert rows["NW-A"][3:5] == ["2,508", "14"]
    assert rows["NW-A"][5] == f"{1000 * 14 / 2508:.2f}"
    assert "Claim warning" in rows["NW-A"][-1]
    warnings = html[html.index("Claim warnings") : html.index("Filter products")]
    assert "NW-A" in warnings and "ST-D" not in warnings
    assert list(rows)[0] == "NW-A"  # flagged first


def test_a_regional_manager_sees_its_regions_figures_only(client, world, data):
    rows = _rows(_get(client, world.regional_manager, reverse("dashboards:product_list")))
    # The Americas: NW-A's 1,000 units from stock last month and 1,500 this month, 12 claims this month.
    assert rows["NW-A"][3:5] == ["2,500", "12"]
    # The EMEA reseller's NW-B (no units, one lost deal) is not the Americas': only the Americas' B rows count.
    assert rows.get("NW-B", ["", "", "", "0"])[3] == "0"
    detail = _get(client, world.regional_manager, reverse("dashboards:product_detail", args=[data["a"].pk]))
    text = detail.content.decode()
    assert "Figures count the partners of your regions only." in text
    assert "Americas" in text  # where the month is flagged


def test_every_number_links_to_the_list_it_counts(client, world, data):
    """The claims and lost deals each link opens are as many as the number shown, for either kind of manager."""
    a = data["a"]
    for user in (world.manager, world.regional_manager):
        client.force_login(user)
        detail = client.get(reverse("dashboards:product_detail", args=[a.pk])).content.decode()
        links = re.findall(r'<a href="(/manage/(?:warranty|deals)/\?[^"]+)">([\d,]+)</a>', detail)
        assert links, detail
        for url, shown in links:
            url = url.replace("&amp;", "&")
            params = parse_qs(urlparse(url).query)
            assert params["product"] == [str(a.pk)]
            listed = client.get(f"{url}&export=csv")
            text = b"".join(listed.streaming_content).decode("utf-8-sig")
            count = len(list(csv.DictReader(io.StringIO(text))))
            assert count == int(shown.replace(",", "")), (user.username, url)


def test_the_detail_shows_failure_codes_and_loss_reasons(client, world, data):
    response = _get(client, world.manager, reverse("dashboards:product_detail", args=[data["a"].pk]))
    html = response.content.decode()
    assert "PSU — Power supply failure" in html and "FAN — Fan" in html
    assert "Price" in html and "Not recorded" in html
    assert "loss_reason=none" in html and "loss_reason=price" in html
    download = _get(
        client, world.manager, reverse("dashboards:product_detail", args=[data["a"].pk]), download="failure_codes"
    )
    csv_text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "PSU" in csv_text and "FAN" in csv_text


def test_the_list_filters_and_exports(client, world, data):
    url = reverse("dashboards:product_list")
    client.force_login(world.manager)
    flagged = _rows(client.get(url, {"warning": "open"}))
    assert list(flagged) == ["NW-A"]
    storage = _rows(client.get(url, {"product_line": data["d"].product_line_id}))
    assert list(storage) == ["ST-D"]
    exported = client.get(url, {"export": "csv", "sort": "-claims"})
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    first = next(csv.DictReader(io.StringIO(text)))
    assert (first["SKU"], first["Claims"], first["Open warning"]) == ("NW-A", "14", "yes")


def test_an_unknown_product_is_404(client, world, data):
    assert _get(client, world.manager, reverse("dashboards:product_detail", args=[999999])).status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(client, world, data, django_assert_max_num_queries):
    url = reverse("dashboards:product_list")
    client.force_login(world.manager)
    client.get(url)  # warm the session and the user's regions
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    line = data["a"].product_line
    extra = [f.ProductFactory(sku=f"NW-X{i}", product_line=line) for i in range(20)]
    for product in extra:
        f.InventoryReportFactory(partner=world.partner_a, product=product, units_sold=10)
    product_feedback_refresh(window=Window.full(timezone.now(), 3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(_rows(response)) == 23  # NW-A, NW-B, ST-D and the 20 new ones (NW-C sold before these months)


def test_the_detail_reads_a_fixed_number_of_queries(client, world, data, django_assert_max_num_queries):
    url = reverse("dashboards:product_detail", args=[data["a"].pk])
    client.force_login(world.regional_manager)
    client.get(url)
    with django_assert_max_num_queries(12):
        client.get(url, {"months": "24"})


def _visible_text(html: str) -> str:
    body = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_pages_and_the_notice_read_cleanly(client, world, data):
    """No "None", "nan" or "(s)" slipped into the pages, for either kind of manager, nor into the warning notice."""
    for user in (world.manager, world.regional_manager):
        client.force_login(user)
        for url in (
            reverse("dashboards:product_list"),
            reverse("dashboards:product_list") + "?months=3&warning=any",
            reverse("dashboards:product_detail", args=[data["a"].pk]),
            reverse("dashboards:product_detail", args=[data["d"].pk]) + "?months=24",
        ):
            assert text_defects(_visible_text(client.get(url).content.decode())) == [], (user.username, url)
    notice = Notification.objects.filter(verb="product.claim_warning").first()
    assert notice is not None and text_defects(f"{notice.title} {notice.body}") == []
