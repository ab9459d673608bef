"""PostgreSQL binary COPY, both ways, encoded and decoded column by column with numpy: the one module that
speaks it (psycopg2 has no binary COPY of its own). tests/analytics/test_pgbinary.py round-trips every
column type it writes and every width it reads, NULLs, extremes and Unicode.

Text COPY spends most of its time turning numbers and times into text and back;
the binary format sends them as they are. Each field is a 4-byte big-endian
length (-1 for NULL) followed by the value in the type's binary form.

- `copy_frame_in` writes a DataFrame into a table, `copy_query_out` reads a query's columns as arrays.
- `copy_binary` encodes a DataFrame for `COPY … FROM STDIN (FORMAT binary)`.
  Supported: smallint, integer, bigint, double precision, numeric with a scale,
  date, timestamp with time zone, boolean, varchar/text and jsonb — the column
  types of the analytics tables.
- `decode_fixed` reads the output of `COPY (SELECT …) TO STDOUT (FORMAT binary)`
  when every row has the same layout (fixed-width columns, no NULL: the query
  replaces NULL by a sentinel), as one numpy record array, without a Python loop.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import NamedTuple

import numpy as np
import pandas as pd

HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
PG_EPOCH_DATE = date(2000, 1, 1)


def _fixed(values: np.ndarray, dtype: str) -> np.ndarray:
    return np.ascontiguousarray(values.astype(dtype)).view(np.uint8).reshape(len(values), -1)


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    null = np.isnan(values)
    return np.where(null, 0.0, values), null


def _numeric(series: pd.Series, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """numeric(p, s) as 4 integer base-10000 digits and one fractional digit (PostgreSQL strips the zeros)."""
    if scale > 4:
        raise ValueError("numeric scale above 4 is not supported")
    values, null = _numbers(series)
    units = np.round(np.abs(values) * 10**scale).astype(np.int64)
    whole, fraction = units // 10**scale, (units % 10**scale) * 10 ** (4 - scale)
    digits = [whole // 10**12 % 10**4, whole // 10**8 % 10**4, whole // 10**4 % 10**4, whole % 10**4, fraction]
    header = np.empty((len(values), 4), dtype=">i2")
    header[:, 0], header[:, 1], header[:, 2], header[:, 3] = 5, 3, np.where(values < 0, 0x4000, 0), scale
    body = np.stack(digits, axis=1).astype(">i2")
    data = np.concatenate([header.view(np.uint8).reshape(len(values), 8), body.view(np.uint8).reshape(-1, 10)], axis=1)
    return data, null


class Distinct(NamedTuple):
    """A column of values that repeat a lot: each distinct value's bytes once, and each row's code."""

    data: np.ndarray  # the distinct values' bytes, one after the other (uint8)
    starts: np.ndarray  # where each distinct value starts in `data`
    sizes: np.ndarray  # its length in bytes
    codes: np.ndarray  # per row, the index of its distinct value (-1 for NULL)


def _by_distinct(series: pd.Series, encode) -> tuple[np.ndarray | Distinct, np.ndarray]:
    """Encode values that repeat a lot (dates, times, labels, explanations) once per distinct value.

    Rows are matched to their distinct value by pandas' hashing (dicts, which do not hash, by identity:
    the scorer hands out one dict per pattern). Fixed-width results come back as a 2-D array.
    """
    try:
        codes, uniques = pd.factorize(series)
        null = codes < 0
    except TypeError:  # unhashable values (dicts)
        objects = series.to_numpy(dtype=object)
        null = pd.isna(series).to_numpy()
        present = np.flatnonzero(~null)
        codes = np.full(len(objects), -1, dtype=np.int64)
        codes[present], _ = pd.factorize(np.fromiter(map(id, objects[present]), dtype=np.int64, count=len(present)))
        _, first = np.unique(codes[present], return_index=True)
        uniques = objects[present[first]]
    encoded = [encode(value) for value in uniques]
    sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    if not len(sizes):  # every row NULL
        return np.zeros((len(codes), 0), dtype=np.uint8), null
    if (sizes == sizes[0]).all():
        table = data.reshape(len(sizes), int(sizes[0]))
        return table[np.where(null, 0, codes)], null
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return Distinct(data, starts, sizes, codes), null


def _date(value) -> bytes:
    day = value.date() if isinstance(value, datetime) else value
    return int((day - PG_EPOCH_DATE).days).to_bytes(4, "big", signed=True)


def _timestamp(value) -> bytes:
    moment = pd.Timestamp(value)
    moment = moment.tz_localize(UTC) if moment.tzinfo is None else moment
    micros = (moment - pd.Timestamp(PG_EPOCH)) // pd.Timedelta(microseconds=1)
    return int(micros).to_bytes(8, "big", signed=True)


def encode_column(series: pd.Series, db_type: str) -> tuple[np.ndarray | Distinct, np.ndarray]:
    """(values, null mask): a 2-D uint8 array for fixed-width values, else the distinct values and codes."""
    kind = db_type.split("(")[0].strip().lower()
    if kind in ("smallint", "integer", "bigint", "serial", "bigserial"):
        values, null = _numbers(series)
        dtype = {"smallint": ">i2", "integer": ">i4", "serial": ">i4"}.get(kind, ">i8")
        rounded = np.round(values)
        # Numbers pass through float64: past 2**53 (or the type's range) they would change silently.
        high, low = min(2**53, np.iinfo(dtype).max), max(-(2**53), np.iinfo(dtype).min)
        if ((rounded > high) | (rounded < low)).any():
            raise ValueError(f"a value is outside {low:,}..{high:,}, what {db_type} is written for")
        return _fixed(rounded, dtype), null
    if kind == "double precision":
        values, null = _numbers(series)
        return _fixed(values, ">f8"), null
    if kind == "numeric":
        scale = int(re.search(r",\s*(\d+)", db_type).group(1))
        return _numeric(series, scale)
    if kind == "boolean":
        null = pd.isna(series).to_numpy()
        return series.fillna(False).to_numpy(dtype=bool).astype(np.uint8).reshape(-1, 1), null
    if kind == "date":
        return _by_distinct(series, _date)
    if kind.startswith("timestamp"):
        return _by_distinct(series, _timestamp)
    if kind == "jsonb":
        return _by_distinct(series, lambda v: b"\x01" + json.dumps(v).encode())
    if kind in ("varchar", "text", "character varying"):
        return _by_distinct(series, lambda v: str(v).encode())
    raise ValueError(f"no binary encoding for {db_type!r}")


def copy_binary(frame: pd.DataFrame, db_types: list[str]) -> bytes:
    """The whole COPY … FROM STDIN (FORMAT binary) payload for the frame's rows."""
    n = len(frame)
    columns = []
    for name, db_type in zip(frame.columns, db_types, strict=True):
        try:
            columns.append(encode_column(frame[name], db_type))
        except ValueError as exc:
            raise ValueError(f"column {name!r}: {exc}") from exc
    widths = []
    for values, null in columns:
        size = np.full(n, values.shape[1]) if isinstance(values, np.ndarray) else values.sizes[values.codes]
        widths.append(np.where(null, 0, size))
    row_length = 2 + sum(4 + w for w in widths)
    starts = len(HEADER) + np.concatenate([[0], np.cumsum(row_length)[:-1]]).astype(np.int64)
    buffer = np.empty(len(HEADER) + int(row_length.sum()) + len(TRAILER), dtype=np.uint8)
    buffer[: len(HEADER)] = np.frombuffer(HEADER, dtype=np.uint8)
    buffer[starts[:, None] + np.arange(2)] = np.frombuffer(len(columns).to_bytes(2, "big"), dtype=np.uint8)
    position = starts + 2
    for (values, null), width in zip(columns, widths, strict=True):
        lengths = np.where(null, -1, width).astype(">i4").view(np.uint8).reshape(n, 4)
        buffer[position[:, None] + np.arange(4)] = lengths
        position = position + 4
        present = ~null
        if isinstance(values, np.ndarray):
            if present.any():
                buffer[position[present][:, None] + np.arange(values.shape[1])] = values[present]
        else:
            sizes = width[present]
            total = int(sizes.sum())
            if total:
                # Row i's bytes: data[starts[code] : starts[code] + size], written at position[i].
                before = np.concatenate([[0], np.cumsum(sizes)[:-1]])
                step = np.arange(total) - np.repeat(before, sizes)
                source = np.repeat(values.starts[values.codes[present]], sizes) + step
                buffer[np.repeat(position[present], sizes) + step] = values.data[source]
        position = position + width
    buffer[-len(TRAILER) :] = np.frombuffer(TRAILER, dtype=np.uint8)
    return buffer.tobytes()


def decode_fixed(payload: bytes | memoryview, formats: list[str]) -> list[np.ndarray]:
    """The columns of a binary COPY whose fields all have the fixed widths of `formats` (numpy codes such as
    ">i8", ">i4", ">f8", "u1"), each as a native-endian array. Raises ValueError when a row does not match
    (a NULL or a type of another width), so that a mistake in the query cannot be read as numbers."""
    start = len(HEADER)
    if bytes(payload[:11]) != HEADER[:11]:
        raise ValueError("not a PostgreSQL binary COPY stream")
    start += int.from_bytes(payload[15:19], "big")  # header extension, normally empty
    layout = [("fields", ">i2")]
    for i, code in enumerate(formats):
        layout += [(f"l{i}", ">i4"), (f"v{i}", code)]
    row = np.dtype(layout)
    body = len(payload) - start - len(TRAILER)
    if body % row.itemsize:
        raise ValueError("binary COPY rows are not of the expected fixed width (a NULL or another type?)")
    records = np.frombuffer(payload, dtype=row, count=body // row.itemsize, offset=start)
    if (records["fields"] != len(formats)).any():
        raise ValueError("binary COPY rows do not have the expected number of fields")
    for i, code in enumerate(formats):
        if (records[f"l{i}"] != np.dtype(code).itemsize).any():
            raise ValueError(f"column {i} of the binary COPY is NULL or not {code} in some rows")
    return [records[f"v{i}"].astype(np.dtype(code).newbyteorder("=")) for i, code in enumerate(formats)]


def copy_frame_in(cursor, table: str, columns: Sequence[str], frame: pd.DataFrame, db_types: list[str]) -> None:
    """COPY the frame's rows into `table` (quoted name) `columns` (quoted names), typed as `db_types`."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)"
    cursor.copy_expert(statement, io.BytesIO(copy_binary(frame, db_types)))


def copy_query_out(cursor, statement: str, formats: list[str]) -> list[np.ndarray]:
    """The columns of a SELECT (parameters already bound) whose fields have the fixed widths of `formats`."""
    buffer = io.BytesIO()
    cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT binary)", buffer)
    return decode_fixed(buffer.getbuffer(), formats)
