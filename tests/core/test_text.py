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
