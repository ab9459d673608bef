"""Rate files: checked by row and column first, imported only when a manager asks; the manager pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from currencies.csv_import import validate_rate_csv
from currencies.models import ExchangeRate, RateUpload
from currencies.selectors import converted_total, rate_coverage
from currencies.services import exchange_rates_upsert, rate_upload_create, rate_upload_import
from tests import factories as f

pytestmark = pytest.mark.django_db

GOOD = (
    b"currency,date,granularity,rate\nEUR,2026-01-01,month,1.0842\ngbp,2026-01-16,day,1.2716\n"
    b"JPY,2026-01,monthly,0.0068\n"
)


def _errors(content: bytes, today=date(2026, 3, 1)) -> list[tuple]:
    return [(e.row, e.column, e.reason) for e in validate_rate_csv(content, today=today).errors]


def test_a_good_file_gives_clean_rows(settings):
    settings.PRM_REPORTING_CURRENCY = "USD"
    result = validate_rate_csv(GOOD, today=date(2026, 3, 1))
    assert result.errors == []
    assert [(r["row"], r["currency"], r["date"], r["granularity"], r["rate"]) for r in result.valid] == [
        (2, "EUR", date(2026, 1, 1), "month", Decimal("1.0842")),
        (3, "GBP", date(2026, 1, 16), "day", Decimal("1.2716")),
        (4, "JPY", date(2026, 1, 1), "month", Decimal("0.0068")),
    ]


def test_every_problem_is_named_by_row_and_column(settings):
    settings.PRM_REPORTING_CURRENCY = "USD"
    content = (
        b"Currency;Date;Granularity;Rate\n"
        b"EURO;2026-01-01;month;1.1\n"  # 2: not a code
        b"USD;2026-01-01;day;1\n"  # 3: the reporting currency
        b"EUR;2026-01-15;month;1.1\n"  # 4: monthly not on the 1st
        b"EUR;2026-02-30;day;1.1\n"  # 5: no such day
        b"EUR;2026-04-01;day;1.1\n"  # 6: future
        b"EUR;2026-01-02;weekly;-3\n"  # 7: granularity and rate
        b"EUR;2026-01-03;day;1,1\n"  # 8: decimal comma
        b"GBP;2026-01-05;day;1.2\n"  # 9 and 10: the same rate twice
        b"GBP;2026-01-05;day;1.3\n"
        b"CAD;2026-01-05;day;0.12345678901\n"  # 11: too many decimals
    )
    assert _errors(content) == [
        (2, "currency", "not an ISO 4217 code: three letters, e.g. EUR"),
        (3, "currency", "USD is the reporting currency: its rate is always 1"),
        (4, "date", "a monthly rate is dated the first of its month (2026-01-01)"),
        (5, "date", "no such day in the calendar"),
        (6, "date", "after today (2026-03-01): rates are recorded once known"),
        (7, "granularity", "use day or month"),
        (7, "rate", "must be above 0 (units of the reporting currency for one unit of this currency)"),
        (8, "rate", "not a number: use a point for decimals, e.g. 1.0842"),
        (9, "date", "GBP day rate of 2026-01-05 is given more than once (rows 9, 10)"),
        (10, "date", "GBP day rate of 2026-01-05 is given more than once (rows 9, 10)"),
        (11, "rate", "at most 10 decimals"),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty; it needs a header row and at least one data row"),
        (b"PK\x03\x04xlsx", "not a CSV file (a spreadsheet or other binary file?): save it as “CSV UTF-8”"),
        (
            b"currency,date\nEUR,2026-01-01\n",
            "missing column: rate. The header must be: currency,date,granularity,rate",
        ),
        (b"currency,date,rate,rate\n", "column named more than once: rate"),
        (b"currency,date,rate\n", "the file has a header but no data rows"),
        (
            b"currency,date,rate\nEUR,2026-01-01,\xff\n",
            "not UTF-8 text (line 2): save the file as “CSV UTF-8” and upload it",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(content, reason):
    result = validate_rate_csv(content)
    assert result.file_error and [e.reason for e in result.errors] == [reason] and not result.valid


def test_check_then_import_upserts_and_keeps_the_errors(world, settings):
    settings.PRM_REPORTING_CURRENCY = "USD"
    today = date.today()
    month = today.replace(day=1)
    f.ExchangeRateFactory(currency="EUR", date=month, granularity="month", rate=Decimal("1.05"))
    f.ExchangeRateFactory(currency="GBP", date=month, granularity="month", rate=Decimal("1.27"))
    content = (
        f"currency,date,granularity,rate\nEUR,{month},month,1.0842\nGBP,{month},month,1.27\n"
        f"CAD,{today},day,0.74\nXX,{today},day,1\n"
    ).encode()
    upload = rate_upload_create(user=world.manager, filename="rates.csv", content=content)
    assert (upload.status, upload.total_rows, upload.valid_rows, upload.error_count) == ("checked", 4, 3, 1)
    assert upload.errors == [
        {"row": 5, "column": "currency", "value": "XX", "reason": "not an ISO 4217 code: three letters, e.g. EUR"}
    ]
    assert ExchangeRate.objects.count() == 2  # nothing written by the check
    done = rate_upload_import(upload=upload, user=world.manager)
    assert (done.created_count, done.updated_count, done.unchanged_count) == (1, 1, 1)
    eur = ExchangeRate.objects.get(currency="EUR")
    assert (eur.rate, eur.source, eur.updated_by) == (Decimal("1.0842"), "csv", world.manager)
    assert ExchangeRate.objects.get(currency="GBP").source == "admin"  # unchanged: the first record stays
    with pytest.raises(TransitionNotAllowedError):
        rate_upload_import(upload=done, user=world.manager)


def test_only_the_channel_team_changes_rates(world):
    with pytest.raises(ActionNotPermittedError):
        rate_upload_create(user=world.admin_a, filename="r.csv", content=GOOD)
    with pytest.raises(ActionNotPermittedError):
        exchange_rates_upsert(rows=[], source="api", user=world.user_a)
    assert RateUpload.objects.visible_to(world.admin_a).count() == 0


def test_coverage_names_latest_rate_and_gaps():
    today = date(2026, 6, 10)
    for month in (1, 2, 5):
        f.ExchangeRateFactory(currency="EUR", date=date(2026, month, 1), granularity="month", rate=Decimal("1.1"))
    # March: daily rates every few days cover the month; April: a daily rate stops mid-month.
    day = date(2026, 3, 1)
    while day < date(2026, 4, 1):
        f.ExchangeRateFactory(currency="EUR", date=day, granularity="day", rate=Decimal("1.12"))
        day += timedelta(days=5)
    f.ExchangeRateFactory(currency="EUR", date=date(2026, 4, 2), granularity="day", rate=Decimal("1.13"))
    (eur,) = rate_coverage(today=today)
    assert (eur.currency, eur.first_month, eur.latest_date, eur.latest_rate) == (
        "EUR",
        date(2026, 1, 1),
        date(2026, 5, 1),
        Decimal("1.1"),
    )
    assert eur.gaps == [(date(2026, 4, 1), date(2026, 4, 1)), (date(2026, 6, 1), date(2026, 6, 1))]
    assert eur.gap_months == 2
    assert eur.latest_rate_text == "1.1"
    ten = f.ExchangeRateFactory(currency="KWD", date=date(2026, 6, 1), granularity="month", rate=Decimal("10"))
    assert ten.rate_text == "10" and str(ten) == "KWD 2026-06-01 (month): 10"


def test_the_manager_pages(world, client, settings, django_assert_max_num_queries):
    settings.PRM_REPORTING_CURRENCY = "USD"
    today = date.today()
    for i in range(12):
        f.ExchangeRateFactory(
            currency=["EUR", "GBP", "JPY"][i % 3], date=today - timedelta(days=i), rate=Decimal("1.1")
        )
    client.force_login(world.manager)
    with django_assert_max_num_queries(8):
        overview = client.get(reverse("currencies:rate_overview"))
    assert overview.status_code == 200 and b"GBP" in overview.content
    with django_assert_max_num_queries(10):
        listing = client.get(reverse("currencies:rate_list"), {"currency": "eur"})
    assert listing.status_code == 200 and listing.context["paginator"].count == 4
    export = client.get(reverse("currencies:rate_list"), {"export": "csv"})
    assert b"Currency,Date,Granularity,Rate" in b"".join(export.streaming_content)
    template = client.get(reverse("currencies:rate_template"))
    assert template.content.startswith(b"currency,date,granularity,rate\n")
    month = today.replace(day=1)
    file = SimpleUploadedFile(
        "rates.csv", f"currency,date,granularity,rate\nEUR,{month},month,1.09\nEUR,x,day,1\n".encode()
    )
    response = client.post(reverse("currencies:rate_upload"), {"file": file})
    upload = RateUpload.objects.get()
    assert response.status_code == 302 and response.url == reverse("currencies:rate_upload_detail", args=[upload.pk])
    detail = client.get(response.url)
    assert b"1 valid" in detail.content and b"not a date: write it as YYYY-MM-DD" in detail.content
    client.post(reverse("currencies:rate_upload_import", args=[upload.pk]))
    assert ExchangeRate.objects.get(currency="EUR", granularity="month").rate == Decimal("1.09")
    client.force_login(world.admin_a)
    assert client.get(reverse("currencies:rate_overview")).status_code == 403
    assert client.get(reverse("currencies:rate_upload_detail", args=[upload.pk])).status_code == 403


def test_converted_total_keeps_each_currency_and_names_what_has_no_rate(settings):
    settings.PRM_REPORTING_CURRENCY = "USD"
    f.ExchangeRateFactory(currency="EUR", date=date(2026, 3, 1), granularity="month", rate=Decimal("1.1"))
    total = converted_total(
        [
            (Decimal("100.00"), "USD", date(2026, 3, 5)),
            (Decimal("10.01"), "EUR", date(2026, 3, 9)),
            (Decimal("50.00"), "EUR", date(2026, 4, 9)),  # April has no EUR rate
            (None, "USD", date(2026, 3, 9)),  # not approved yet: nothing to add
        ]
    )
    assert total.by_currency == {"EUR": Decimal("60.01"), "USD": Decimal("100.00")}
    assert total.total == Decimal("100.00") + Decimal("11.01")
    assert total.missing == {"EUR": (1, Decimal("50.00"))}
