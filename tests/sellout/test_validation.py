"""Sell-out rows from raw values: every problem by row and column, nothing valid lost."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sellout.csv_import import TEMPLATE_HEADER, example_csv, validate_csv
from sellout.validation import sellout_validate_rows
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 31)


@pytest.fixture
def setup():
    dist = f.PartnerFactory(partner_type="distributor")
    reseller = f.PartnerFactory(name="Kappa Reseller", parent=dist)
    stranger = f.PartnerFactory(name="Stranger Partner")
    product = f.ProductFactory(sku="SO-SW24")
    return {"dist": dist, "reseller": reseller, "stranger": stranger, "product": product}


def _row(**over):
    row = {
        "invoice_number": "INV-1",
        "invoice_line": "1",
        "date": "2026-03-02",
        "transaction_type": "sale",
        "sku": "so-sw24",
        "quantity": "2",
        "unit_price": "1450.00",
        "currency": "eur",
        "end_customer_name": "Acme GmbH",
        "end_customer_country": "de",
        "end_customer_domain": "https://www.Acme.example/",
        "serials": "SN-1; SN-2",
    }
    row.update(over)
    return row


def test_a_good_row_is_typed(setup):
    result = sellout_validate_rows(reporter=setup["dist"], rows=[_row()], today=TODAY)
    assert result.ok
    (clean,) = result.valid
    assert clean["product"] == setup["product"]
    assert clean["invoice_line"] == 1 and clean["quantity"] == 2
    assert clean["unit_price"] == Decimal("1450.00") and clean["currency"] == "EUR"
    assert clean["date"] == date(2026, 3, 2)
    assert clean["end_customer_country"] == "DE" and clean["end_customer_domain"] == "acme.example"
    assert clean["serials"] == ["SN-1", "SN-2"]
    assert clean["transaction_type"] == "sale"


@pytest.mark.parametrize(
    ("over", "column", "reason"),
    [
        ({"invoice_number": ""}, "invoice_number", "missing value"),
        ({"invoice_line": "0"}, "invoice_line", "must be 1 or more"),
        ({"invoice_line": "x"}, "invoice_line", "not a whole number"),
        ({"date": "02/03/2026"}, "date", "not a date in the form YYYY-MM-DD"),
        ({"date": (TODAY + timedelta(days=1)).isoformat()}, "date", "in the future"),
        ({"transaction_type": "gift"}, "transaction_type", "unknown type"),
        ({"sku": "NOPE"}, "sku", "unknown SKU"),
        ({"sku": ""}, "sku", "missing value"),
        ({"quantity": "-2"}, "quantity", "a return is a positive quantity"),
        ({"quantity": "1.5"}, "quantity", "not a whole number"),
        ({"unit_price": "1,450.00"}, "unit_price", "not a number"),
        ({"unit_price": "1.005"}, "unit_price", "at most 2 decimals"),
        ({"unit_price": "-1"}, "unit_price", "must be 0 or more"),
        ({"currency": "EURO"}, "currency", "ISO 4217"),
        ({"currency": "ABC"}, "currency", "ISO 4217"),
        ({"end_customer_country": "Germany"}, "end_customer_country", "ISO 3166"),
        ({"end_customer_domain": "not a domain"}, "end_customer_domain", "not a web domain"),
        ({"serials": "A;A"}, "serials", "given twice"),
        ({"serials": "A;B;C"}, "serials", "3 serial numbers for a quantity of 2"),
        ({"sold_to_partner": "Stranger Partner"}, "sold_to_partner", "not a partner you may name"),
    ],
)
def test_each_problem_names_its_column(setup, over, column, reason):
    result = sellout_validate_rows(
        reporter=setup["dist"], rows=[_row(), _row(**{"invoice_line": "2", **over})], today=TODAY
    )
    assert [r["row"] for r in result.valid] == [1]  # the good row is kept
    assert [(e.row, e.column) for e in result.errors] == [(2, column)], result.errors
    assert reason in result.errors[0].reason


def test_a_distributor_names_its_reseller_by_id_or_name(setup):
    reseller = setup["reseller"]
    rows = [_row(sold_to_partner=str(reseller.pk)), _row(invoice_line="2", sold_to_partner="kappa reseller")]
    result = sellout_validate_rows(reporter=setup["dist"], rows=rows, today=TODAY)
    assert result.ok
    assert [r["sold_to_partner"] for r in result.valid] == [reseller, reseller]
    assert result.valid[0]["sold_to_name"] == "Kappa Reseller"
    # The reseller may not name its distributor, nor anyone else.
    refused = sellout_validate_rows(reporter=reseller, rows=[_row(sold_to_partner=str(setup["dist"].pk))], today=TODAY)
    assert [e.column for e in refused.errors] == ["sold_to_partner"]


def test_the_same_invoice_line_twice_is_reported_on_both(setup):
    result = sellout_validate_rows(reporter=setup["dist"], rows=[_row(), _row(unit_price="1.00")], today=TODAY)
    assert result.valid == []
    assert [(e.row, e.column) for e in result.errors] == [(1, "invoice_line"), (2, "invoice_line")]


def test_json_values_are_read_too(setup):
    row = _row(invoice_line=3, quantity=2, unit_price=19.9, serials=["X-1"], date=date(2026, 3, 1))
    result = sellout_validate_rows(reporter=setup["dist"], rows=[row], today=TODAY)
    assert result.ok and result.valid[0]["unit_price"] == Decimal("19.90")


def test_the_csv_file_and_the_example(setup):
    content = (
        TEMPLATE_HEADER
        + "\n"
        + ",".join(["INV-9", "1", "2026-03-02", "return", "SO-SW24", "", "1", "10", "USD"] + [""] * 7)
    ).encode()
    result = validate_csv(content, reporter=setup["dist"], today=TODAY)
    assert result.ok and result.valid[0]["transaction_type"] == "return"
    missing = validate_csv(b"invoice_number,date\nA,2026-01-01\n", reporter=setup["dist"], today=TODAY)
    assert missing.file_error and "missing columns" in missing.errors[0].reason
    assert example_csv().startswith(TEMPLATE_HEADER)


def test_products_are_found_by_gtin_in_any_of_its_lengths(setup):
    setup["product"].gtin = "04006381333931"
    setup["product"].save()
    for gtin in ("4006381333931", "04006381333931", "4006381-333931"):
        result = sellout_validate_rows(reporter=setup["dist"], rows=[_row(sku="", gtin=gtin)], today=TODAY)
        assert result.ok and result.valid[0]["product"] == setup["product"], gtin
    # With the SKU given too, both must name the same product.
    assert sellout_validate_rows(reporter=setup["dist"], rows=[_row(gtin="4006381333931")], today=TODAY).ok
    errors = {
        gtin: [
            (e.column, e.reason)
            for e in sellout_validate_rows(reporter=setup["dist"], rows=[_row(sku="", gtin=gtin)], today=TODAY).errors
        ]
        for gtin in ("4006381333932", "96385074")
    }
    assert errors["4006381333932"] == [
        ("gtin", "'4006381333932' is not a GTIN: the check digit is wrong: it should be 1.")
    ]
    assert errors["96385074"] == [("gtin", "unknown GTIN: no product in the catalog has it")]
    missing = sellout_validate_rows(reporter=setup["dist"], rows=[_row(sku="")], today=TODAY)
    assert [(e.column, e.reason) for e in missing.errors] == [("sku", "missing value (give the SKU or the GTIN)")]
