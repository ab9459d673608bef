"""Binary COPY both ways: what goes in comes back with the same values, NULLs included."""

from __future__ import annotations

import io
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
    ]
    out = query_columns(f"SELECT {select(columns)} FROM bin_rt ORDER BY n NULLS LAST", [], columns)  # noqa: S608
    first, second = out.to_dict("records")
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
