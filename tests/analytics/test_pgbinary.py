"""Binary COPY both ways: what goes in comes back with the same values, NULLs included."""

from __future__ import annotations

import io
import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection

from analytics.loaders import Col, query_columns, select
from analytics.pgbinary import copy_binary, decode_fixed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

COLUMNS = [
    ("n", "bigint"),
    ("small", "smallint"),
    ("x", "double precision"),
    ("money", "numeric(16, 2)"),
    ("day", "date"),
    ("at", "timestamp with time zone"),
    ("flag", "boolean"),
    ("label", "varchar(20)"),
    ("doc", "jsonb"),
]


@pytest.fixture
def table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bin_rt ({', '.join(f'{n} {t}' for n, t in COLUMNS)})")
    yield "bin_rt"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bin_rt")


def _load(frame: pd.DataFrame) -> None:
    payload = copy_binary(frame, [t for _, t in COLUMNS])
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert("COPY bin_rt FROM STDIN WITH (FORMAT binary)", io.BytesIO(payload))


def test_a_frame_written_in_binary_reads_back_unchanged(table):
    moment = datetime(2026, 3, 31, 23, 59, 59, 123456, tzinfo=UTC)
    frame = pd.DataFrame(
        {
            "n": [1, -(2**40), None],
            "small": [3, -4, None],
            "x": [0.1, -1e300, math.nan],
            "money": [Decimal("12345678901.25"), -0.5, None],
            "day": [date(1999, 12, 31), date(2026, 2, 28), None],
            "at": [moment, datetime(1970, 1, 1, tzinfo=UTC), None],
            "flag": [True, False, None],
            "label": ["Gold", "Ünïcode", None],
            "doc": [{"a": [1, 2]}, {}, None],
        }
    )
    _load(frame)
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, small, x, money, day, at, flag, label, doc::text FROM bin_rt ORDER BY n NULLS LAST")
        rows = cursor.fetchall()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert rows[0][1:] == (-4, -1e300, Decimal("-0.50"), date(2026, 2, 28), epoch, False, "Ünïcode", "{}")
    assert rows[1] == (1, 3, 0.1, Decimal("12345678901.25"), date(1999, 12, 31), moment, True, "Gold", '{"a": [1, 2]}')
    assert rows[2] == (None,) * 9


def test_typed_columns_decode_to_epoch_seconds_money_and_labels_with_nulls_kept(table):
    moment = datetime(2026, 3, 31, 23, 59, 59, 123456, tzinfo=UTC)
    frame = pd.DataFrame(
        {
            "n": [7, None],
            "small": [1, 1],
            "x": [1.0, 1.0],
            "money": [Decimal("0.07"), None],
            "day": [date(1999, 12, 31), None],
            "at": [moment, None],
            "flag": [True, None],
            "label": ["won", "mystery"],
            "doc": [{}, {}],
        }
    )
    _load(frame)
    columns = [
        Col("n", "n", "int"),
        Col("money", "money", "money"),
        Col("day", "day", "date"),
        Col("at", "at", "time"),
        Col("flag", "flag", "bool"),
        Col("label", "label", "choice", ("lost", "won")),
        Col("code", "label", "code"),  # a currency's three letters travel as one integer
    ]
    out = query_columns(f"SELECT {select(columns)} FROM bin_rt ORDER BY n NULLS LAST", [], columns)  # noqa: S608
    first, second = out.to_dict("records")
    assert (first.pop("code"), second.pop("code")) == ("won", "mys")
    assert first == {
        "n": 7,
        "money": 0.07,
        "day": datetime(1999, 12, 31, tzinfo=UTC).timestamp(),
        "at": moment.timestamp(),
        "flag": True,
        "label": "won",
    }
    assert math.isnan(second["n"]) and math.isnan(second["money"])
    assert math.isnan(second["day"]) and math.isnan(second["at"])
    assert not second["flag"]  # NULL reads as false (the models' flags are never NULL)
    assert second["label"] == ""  # a value outside the choices is not passed off as one of them


def test_a_null_where_the_reader_expects_a_fixed_width_is_refused(table):
    _load(pd.DataFrame({name: [None] for name, _ in COLUMNS}))
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert("COPY (SELECT n FROM bin_rt) TO STDOUT WITH (FORMAT binary)", buffer)
    with pytest.raises(ValueError, match="NULL"):
        decode_fixed(buffer.getvalue(), [">i8"])


def test_repeated_values_of_every_width_are_written_once_per_distinct_value_and_land_on_their_rows(table):
    """Labels of different lengths, shared and equal-but-separate dicts, tz-aware times, NULLs in between."""
    shared = {"why": "no stock reported"}
    labels = ["Gold", "", "Ünïcode", None, "a much longer label"]
    days = [date(2026, 1, 1), date(2024, 2, 29), None]
    docs = [shared, None, {"why": "no stock reported"}, {}, shared]
    n = 1000
    frame = pd.DataFrame(
        {
            "n": range(n),
            "small": [i % 7 for i in range(n)],
            "x": [i / 3 for i in range(n)],
            "money": [i / 4 for i in range(n)],
            "day": [days[i % 3] for i in range(n)],
            "at": pd.to_datetime([f"2026-03-{1 + i % 28:02d}T10:00:00Z" for i in range(n)]),
            "flag": [i % 2 == 0 for i in range(n)],
            "label": [labels[i % 5] for i in range(n)],
            "doc": [docs[i % 5] for i in range(n)],
        }
    )
    _load(frame)
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, day, at, label, doc::text FROM bin_rt ORDER BY n")
        rows = cursor.fetchall()
    assert len(rows) == n
    texts = ['{"why": "no stock reported"}', None, '{"why": "no stock reported"}', "{}", '{"why": "no stock reported"}']
    for i, (number, day, at, label, doc) in enumerate(rows):
        assert number == i
        assert day == days[i % 3]
        assert at == datetime(2026, 3, 1 + i % 28, 10, tzinfo=UTC)
        assert label == labels[i % 5]
        assert doc == texts[i % 5]


def test_a_column_of_explanations_that_starts_with_many_nulls(table):
    n = 3000
    frame = pd.DataFrame({name: [None] * n for name, _ in COLUMNS})
    frame["n"] = range(n)
    frame["doc"] = [None] * (n - 2) + [{"b": 2}, {"a": [1]}]
    _load(frame)
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc::text FROM bin_rt WHERE doc IS NOT NULL ORDER BY n")
        assert [row[0] for row in cursor.fetchall()] == ['{"b": 2}', '{"a": [1]}']
        cursor.execute("SELECT count(*) FROM bin_rt WHERE doc IS NULL")
        assert cursor.fetchone()[0] == n - 2


# --- the contract: every column type the analytics tables use, at its extremes, written and read back ------

EXTREMES = [
    ("i", "integer", [-(2**31), 2**31 - 1, 0, None]),
    ("s", "smallint", [-(2**15), 2**15 - 1, -1, None]),
    ("b", "bigint", [-(2**53), 2**53, 7, None]),
    ("x", "double precision", [1.7976931348623157e308, 5e-324, -0.0, None]),
    ("m", "numeric(16, 2)", [Decimal("99999999999.99"), Decimal("-0.01"), Decimal("0"), None]),
    ("q", "numeric(8, 4)", [Decimal("9999.9999"), Decimal("-0.0001"), Decimal("1.5"), None]),
    ("d", "date", [date(1, 1, 1), date(9999, 12, 31), date(2000, 1, 1), None]),
    (
        "t",
        "timestamp with time zone",
        [
            datetime(1677, 9, 22, tzinfo=UTC),
            datetime(2262, 4, 10, 23, 59, 59, 999999, tzinfo=UTC),
            datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
            None,
        ],
    ),
    ("f", "boolean", [True, False, True, None]),
    ("v", "varchar(40)", ["👩‍💻 emoji", "日本語 and e\u0301", "", None]),
    ("tx", "text", ["x" * 10_000, "עברית ← right to left", '\t tab \\ backslash "quote"', None]),
    ("j", "jsonb", [{"ünïcode": ["日本", 1.5, None, True]}, [], {"nested": {"deep": [{}]}}, None]),
]


@pytest.fixture
def extremes_table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bin_x (n integer, {', '.join(f'{n} {t}' for n, t, _ in EXTREMES)})")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bin_x")


def test_every_column_type_the_analytics_tables_use_is_in_the_contract():
    from django.apps import apps

    from analytics.writers import _db_type

    covered = {t.split("(")[0] for _, t, _ in EXTREMES}
    used = {
        _db_type(field).split("(")[0]
        for model in apps.get_app_config("analytics").get_models()
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    assert used <= covered, used - covered


def test_extremes_nulls_and_unicode_of_every_type_come_back_equal(extremes_table):
    from analytics.pgbinary import copy_frame_in

    frame = pd.DataFrame({"n": [1, 2, 3, 4], **{name: values for name, _, values in EXTREMES}})
    with connection.cursor() as cursor:
        copy_frame_in(cursor.cursor, "bin_x", list(frame.columns), frame, ["integer", *(t for _, t, _ in EXTREMES)])
        cursor.execute(f"SELECT {', '.join(n for n, _, _ in EXTREMES)} FROM bin_x ORDER BY n")  # noqa: S608
        rows = cursor.fetchall()
    for position, (name, db_type, values) in enumerate(EXTREMES):
        back = [row[position] for row in rows]
        if db_type == "jsonb":  # the driver hands jsonb back as its text
            back = [None if text is None else json.loads(text) for text in back]
        assert back == values, (name, db_type, back)


def test_a_number_the_type_cannot_hold_exactly_is_refused_naming_the_column(extremes_table):
    from analytics.pgbinary import copy_binary

    too_big = [("s", "smallint", 2**15), ("i", "integer", -(2**31) - 1), ("b", "bigint", 2**53 + 2)]
    for column, db_type, value in too_big:
        with pytest.raises(ValueError, match=f"column '{column}'"):
            copy_binary(pd.DataFrame({column: [1, value]}), [db_type])


@pytest.mark.parametrize(
    ("sql", "fmt", "expected"),
    [
        ("(-9223372036854775808)::bigint", ">i8", -(2**63)),
        ("9223372036854775807::bigint", ">i8", 2**63 - 1),
        ("(-2147483648)::integer", ">i4", -(2**31)),
        ("'-infinity'::date", ">i4", -(2**31)),
        ("32767::smallint", ">i2", 2**15 - 1),
        ("(-1)::smallint", ">i2", -1),
        ("'NaN'::float8", ">f8", None),
        ("1.7976931348623157e308::float8", ">f8", 1.7976931348623157e308),
        ("true", "u1", 1),
        ("false", "u1", 0),
    ],
)
def test_every_width_the_loaders_read_decodes_to_the_value_sent(sql, fmt, expected):
    from analytics.pgbinary import copy_query_out

    with connection.cursor() as cursor:
        [column] = copy_query_out(cursor.cursor, f"SELECT {sql} FROM generate_series(1, 3)", [fmt])  # noqa: S608
    assert len(column) == 3
    if expected is None:
        assert all(math.isnan(value) for value in column)
    else:
        assert column.tolist() == [expected] * 3
