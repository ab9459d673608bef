"""Figures in sentences read as on the pages: amounts like `floatformat:2|intcomma` and the currency, plurals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from core.text import counted, money

PAGE_AMOUNT = Template("{% load humanize %}{{ amount|floatformat:2|intcomma }} {{ currency }}")


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("7.5"), Decimal("999.99"), Decimal("12500"), Decimal("1234567.89"), 42, 0.1]
)
def test_money_reads_as_the_pages_show_amounts(amount):
    assert money(amount, "USD") == PAGE_AMOUNT.render(Context({"amount": amount, "currency": "USD"}))


def test_money_without_an_amount_is_a_dash():
    assert money(None, "EUR") == "—"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 registrations"), (1, "1 registration"), (2, "2 registrations"), (1200, "1,200 registrations")],
)
def test_counted_takes_the_plural_for_every_number_but_one(count, expected):
    assert counted(count, "registration") == expected


def test_counted_takes_an_irregular_plural():
    assert counted(1, "entry", "entries") == "1 entry" and counted(3, "entry", "entries") == "3 entries"


def test_the_page_checker_finds_wrong_ordinals_and_template_slips():
    """tests.texts, which the page crawl relies on, against hand-written right and wrong cases."""
    from tests.texts import text_defects, wrong_ordinals

    right = "1st 2nd 3rd 4th 11th 12th 13th 21st 22nd 23rd 101st 111th 112th"
    assert wrong_ordinals(right) == []
    assert wrong_ordinals("21th 32th 11st 12nd 13rd 2th") == ["21th", "32th", "11st", "12nd", "13rd", "2th"]
    assert len(text_defects("Owner: None · score nan · NaN % · 1 row(s)")) == 4
    assert text_defects("Nonetheless, a nanny: 3 rows") == []
