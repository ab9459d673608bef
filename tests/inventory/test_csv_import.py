"""Checking an uploaded CSV: every kind of bad row and bad file, before anything is written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inventory.csv_import import errors_as_csv, validate_csv
from inventory.models import InventoryReport
from tests.inventory.conftest import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = "sku,date,on_hand,units_sold,on_order"


def _errors(result):
    return [(e.row, e.column) for e in result.errors]


def test_valid_file_gives_typed_rows_and_no_errors(products, yesterday):
    result = validate_csv(csv_bytes(HEADER, f"NET-100,{yesterday},10,3,5", f"NET-200,{yesterday},0,0,"))
    assert result.ok and result.total == 2
    first, second = result.valid
    assert first["product"] == products[0] and first["date"] == yesterday
    assert (first["on_hand"], first["units_sold"], first["on_order"]) == (10, 3, 5)
    assert second["on_order"] == 0  # blank on_order means none on order
    assert [r["row"] for r in result.valid] == [2, 3]  # the header is row 1
    assert not InventoryReport.objects.exists()


def test_unknown_sku(products, yesterday):
    result = validate_csv(csv_bytes(HEADER, f"NOPE-1,{yesterday},1,1,0", f"net-100,{yesterday},1,1,0"))
    assert _errors(result) == [(2, "sku")]
    assert "unknown SKU" in result.errors[0].reason and result.errors[0].value == "NOPE-1"
    assert [r["product"] for r in result.valid] == [products[0]]  # SKUs match ignoring case


def test_date_in_the_future(products):
    tomorrow = date.today() + timedelta(days=1)
    result = validate_csv(csv_bytes(HEADER, f"NET-100,{tomorrow},1,1,0", f"NET-100,{date.today()},1,1,0"))
    assert _errors(result) == [(2, "date")]
    assert "future" in result.errors[0].reason
    assert len(result.valid) == 1  # today itself is allowed


@pytest.mark.parametrize("column", ["on_hand", "units_sold", "on_order"])
def test_negative_number(products, yesterday, column):
    values = {"on_hand": "1", "units_sold": "1", "on_order": "1", column: "-4"}
    line = f"NET-100,{yesterday},{values['on_hand']},{values['units_sold']},{values['on_order']}"
    result = validate_csv(csv_bytes(HEADER, line))
    assert _errors(result) == [(2, column)]
    assert "negative" in result.errors[0].reason and result.errors[0].value == "-4"
    assert result.valid == []


@pytest.mark.parametrize(
    ("value", "column", "reason"),
    [
        ("ten", "on_hand", "not a whole number"),
        ("1.5", "units_sold", "not a whole number"),
        ("1,200", "on_hand", "not a whole number"),
        ("99999999999", "on_hand", "too large"),
        ("", "on_hand", "missing value"),
    ],
)
def test_malformed_number(products, yesterday, value, column, reason):
    cells = {"on_hand": "1", "units_sold": "1", column: value}
    result = validate_csv(csv_bytes(HEADER, f'NET-100,{yesterday},"{cells["on_hand"]}","{cells["units_sold"]}",0'))
    assert _errors(result) == [(2, column)]
    assert reason in result.errors[0].reason


@pytest.mark.parametrize("value", ["31/01/2025", "2025-02-30", "2025-1-5", "20250105", "yesterday"])
def test_malformed_date(products, value):
    result = validate_csv(csv_bytes(HEADER, f"NET-100,{value},1,1,0"))
    assert _errors(result) == [(2, "date")]
    assert "YYYY-MM-DD" in result.errors[0].reason


def test_several_problems_in_one_row_are_all_reported(products):
    result = validate_csv(csv_bytes(HEADER, "NOPE,not-a-date,-1,x,0"))
    assert _errors(result) == [(2, "sku"), (2, "date"), (2, "on_hand"), (2, "units_sold")]


def test_repeated_row_reports_every_occurrence_and_imports_none(products, yesterday):
    result = validate_csv(
        csv_bytes(
            HEADER,
            f"NET-100,{yesterday},1,1,0",
            f"NET-200,{yesterday},1,1,0",
            f"net-100,{yesterday},5,5,0",
        )
    )
    assert _errors(result) == [(2, "sku"), (4, "sku")]
    assert "same SKU and date as row 4" in result.errors[0].reason
    assert "same SKU and date as row 2" in result.errors[1].reason
    assert [r["row"] for r in result.valid] == [3]


def test_same_sku_on_different_dates_is_not_repeated(products, yesterday):
    result = validate_csv(csv_bytes(HEADER, f"NET-100,{yesterday},1,1,0", f"NET-100,{yesterday - timedelta(1)},1,1,0"))
    assert result.ok and len(result.valid) == 2


def test_missing_columns_is_a_file_error_naming_them(products, yesterday):
    result = validate_csv(csv_bytes("sku,date,on_order", f"NET-100,{yesterday},0"))
    assert result.file_error and result.valid == []
    (error,) = result.errors
    assert error.row is None and error.column == "on_hand,units_sold"
    assert "missing columns: on_hand, units_sold" in error.reason


def test_header_names_ignore_case_and_spaces_and_on_order_is_optional(products, yesterday):
    result = validate_csv(csv_bytes("SKU, Date ,On Hand,Units-Sold,Notes", f"NET-100,{yesterday},4,2,hello"))
    assert result.ok and result.valid[0]["on_order"] == 0


def test_column_named_twice_is_a_file_error(products):
    result = validate_csv(csv_bytes("sku,date,on_hand,units_sold,on_hand", "NET-100,2025-01-01,1,1,1"))
    assert result.file_error and "more than once" in result.errors[0].reason


def test_not_utf8_is_a_file_error(products, yesterday):
    content = f"{HEADER}\nNET-100,{yesterday},1,1,0\nNET-200,{yesterday},1,1,0 Café\n".encode("latin-1")
    result = validate_csv(content)
    assert result.file_error and result.valid == []
    assert "not UTF-8" in result.errors[0].reason and "line 3" in result.errors[0].reason


def test_utf8_with_byte_order_mark_is_accepted(products, yesterday):
    result = validate_csv(b"\xef\xbb\xbf" + csv_bytes(HEADER, f"NET-100,{yesterday},1,1,0"))
    assert result.ok and len(result.valid) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00rest-of-an-xlsx", "Excel .xlsx"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"sku,date\x00\x00\x01\x02binary", "binary data"),
        (b"", "empty"),
        (b"  \n\n", "empty"),
    ],
)
def test_not_csv_is_a_file_error(products, content, expected):
    result = validate_csv(content)
    assert result.file_error and result.valid == []
    assert expected in result.errors[0].reason


def test_semicolon_separated_file_is_read(products, yesterday):
    result = validate_csv(csv_bytes("sku;date;on_hand;units_sold;on_order", f"NET-100;{yesterday};1;1;0"))
    assert result.ok and len(result.valid) == 1


def test_blank_lines_are_skipped_and_row_numbers_stay_those_of_the_file(products, yesterday):
    result = validate_csv(csv_bytes(HEADER, "", f"NET-100,{yesterday},1,1,0", ",,,,", f"NOPE,{yesterday},1,1,0"))
    assert result.total == 2
    assert _errors(result) == [(5, "sku")]
    assert result.valid[0]["row"] == 3


def test_short_row_reports_missing_values_and_long_row_is_reported(products, yesterday):
    result = validate_csv(csv_bytes(HEADER, f"NET-100,{yesterday}", f"NET-200,{yesterday},1,1,0,surprise"))
    assert (2, "on_hand") in _errors(result) and (2, "units_sold") in _errors(result)
    assert any(e.row == 3 and "more values" in e.reason for e in result.errors)
    assert result.valid == []


def test_errors_are_capped_but_counted(products, yesterday):
    lines = [HEADER] + [f"NOPE-{i},{yesterday},1,1,0" for i in range(30)]
    result = validate_csv(csv_bytes(*lines), max_errors=10)
    assert result.error_count == 30 and len(result.errors) == 10


def test_progress_is_reported(products, yesterday):
    seen = []
    lines = [HEADER] + [f"NET-100,{yesterday - timedelta(days=i)},1,1,0" for i in range(25)]
    validate_csv(csv_bytes(*lines), progress=seen.append, progress_every=10)
    assert seen == [10, 20]


def test_error_report_csv_names_row_column_and_reason_and_defuses_formulas(products, yesterday):
    result = validate_csv(csv_bytes(HEADER, f"=HYPERLINK(1),{yesterday},-3,1,0"))
    text = errors_as_csv([e.as_dict() for e in result.errors])
    lines = text.strip().splitlines()
    assert lines[0] == "row,column,value,reason"
    assert lines[1].startswith("2,sku,'=HYPERLINK(1),unknown SKU")
    assert lines[2].startswith("2,on_hand,'-3,negative number")


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_cell_of_the_error_report_is_defused_including_column_names(prefix):
    import csv
    import io

    from core.spreadsheets import safe_text

    hostile = f'{prefix}HYPERLINK("http://x.example")'
    text = errors_as_csv([{"row": 3, "column": hostile, "value": hostile, "reason": hostile}])
    (header, row) = list(csv.reader(io.StringIO(text)))
    assert header == ["row", "column", "value", "reason"]
    assert row == ["3", "'" + hostile, "'" + hostile, "'" + hostile]
    assert all(safe_text(cell) == cell or cell.startswith("'") for cell in row)


def test_a_header_with_formula_column_names_is_reported_defused(products, yesterday):
    result = validate_csv(csv_bytes("sku,date,on_hand,units_sold,on_order,=cmd|' /C calc'!A0,=cmd|' /C calc'!A0"))
    text = errors_as_csv([e.as_dict() for e in result.errors])
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert rows, text
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row
    assert any("'=cmd" in cell for row in rows for cell in row)
