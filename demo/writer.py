"""Writing generated columns to the database: `COPY` on PostgreSQL, batched inserts on SQLite.

Generators hand over whole columns (numpy arrays keyed by database column name) with their
primary keys already assigned, so related tables can point at rows that are not written yet and
no row ever round-trips through a model instance. The column's kind comes from the model field:
integers and foreign keys (negative = NULL), decimals as integer cents, datetime64 timestamps and
dates (NaT = NULL), booleans and UTF-8 text.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from django.db import connection, models
from django.db.models import Max

from . import encode

Columns = dict[str, np.ndarray]
Progress = Callable[[str], None]

COPY_CHUNK_ROWS = 250_000
SQLITE_BATCH_ROWS = 5_000
PROGRESS_MIN_ROWS = 500_000  # tables at least this big report progress per chunk

_INT_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}


def column_kind(field: models.Field) -> str:
    """How a generated column for `field` is encoded: int, cents, ts, date, bool or text."""
    if field.is_relation:
        return "int"
    internal = field.get_internal_type()
    if internal in _INT_TYPES:
        return "int"
    return {"DecimalField": "cents", "DateTimeField": "ts", "DateField": "date", "BooleanField": "bool"}.get(
        internal, "text"
    )


def as_bytes(values) -> np.ndarray:
    """Text values (str list, "U" or "S" array) as a UTF-8 "S" array."""
    array = np.asarray(values)
    if array.dtype.kind == "S":
        return array
    if array.dtype.kind == "U":
        return np.char.encode(array, "utf-8")
    return np.array([str(v).encode() for v in array.tolist()], dtype="S")


class TableWriter:
    """Appends generated rows to tables of the current database connection (inside the caller's transaction)."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.vendor = connection.vendor
        self.progress = progress or (lambda _line: None)
        self.rows_written: dict[str, int] = {}

    @property
    def method(self) -> str:
        return "COPY" if self.vendor == "postgresql" else "batched INSERT"

    @staticmethod
    def next_id(model: type[models.Model]) -> int:
        """The first free primary key: generated rows take explicit ids from here on."""
        return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1

    def write(self, model: type[models.Model], columns: Columns) -> int:
        """Insert every row of `columns` (equal-length arrays keyed by column name); returns the row count."""
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model._meta.db_table}: columns not in the table: {sorted(unknown)}")
        names = list(columns)
        n = len(columns[names[0]])
        if any(len(columns[name]) != n for name in names):
            raise ValueError(f"{model._meta.db_table}: columns differ in length")
        if n == 0:
            return 0
        specs = [(name, column_kind(fields[name]), fields[name].null, columns[name]) for name in names]
        table = model._meta.db_table
        if self.vendor == "postgresql":
            self._copy(table, specs, n)
        else:
            self._insert(table, specs, n)
        self.rows_written[table] = self.rows_written.get(table, 0) + n
        return n

    # --- PostgreSQL -------------------------------------------------------------------------

    def _copy(self, table: str, specs: list, n: int) -> None:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(table)} ({', '.join(quote(s[0]) for s in specs)}) FROM STDIN"
        bounds = [(start, min(start + COPY_CHUNK_ROWS, n)) for start in range(0, n, COPY_CHUNK_ROWS)]
        started = time.monotonic()
        # Encoding the next chunk (numpy, mostly outside the GIL) overlaps with the server loading this one.
        with ThreadPoolExecutor(max_workers=1) as pool, connection.cursor() as cursor:
            pending = pool.submit(_encode_chunk, specs, *bounds[0])
            for index, _bounds in enumerate(bounds):
                payload = pending.result()
                if index + 1 < len(bounds):
                    pending = pool.submit(_encode_chunk, specs, *bounds[index + 1])
                cursor.copy_expert(sql, io.BytesIO(payload))
                self._chunk_progress(table, _bounds[1], n, started)

    def reset_sequences(self, model_list: list[type[models.Model]]) -> None:
        """After explicit ids, move each identity sequence past the highest id so ORM inserts keep working."""
        if self.vendor != "postgresql":
            return  # SQLite takes max(rowid) + 1 by itself
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in model_list:
                table, pk = model._meta.db_table, model._meta.pk.column
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 - names from model metadata
                    f"COALESCE((SELECT MAX({quote(pk)}) FROM {quote(table)}), 0) + 1, false)",
                    [quote(table), pk],
                )

    def analyze(self, model_list: list[type[models.Model]]) -> int:
        """Refresh planner statistics so the first queries on the fresh data pick the right plans."""
        if self.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            for model in model_list:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        return len(model_list)

    # --- SQLite (and any other database) ----------------------------------------------------

    def _insert(self, table: str, specs: list, n: int) -> None:
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(table)} ({', '.join(quote(s[0]) for s in specs)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(specs))})"
        )
        started = time.monotonic()
        step = max(SQLITE_BATCH_ROWS, COPY_CHUNK_ROWS if n >= PROGRESS_MIN_ROWS else SQLITE_BATCH_ROWS)
        with connection.cursor() as cursor:
            for start in range(0, n, step):
                stop = min(start + step, n)
                values = [_python_values(kind, null, data[start:stop]) for _name, kind, null, data in specs]
                cursor.executemany(sql, list(zip(*values, strict=True)))
                self._chunk_progress(table, stop, n, started)

    def _chunk_progress(self, table: str, done: int, total: int, started: float) -> None:
        if total >= PROGRESS_MIN_ROWS:
            elapsed = time.monotonic() - started
            self.progress(f"    {table}: {done:,}/{total:,} rows ({100 * done // total}%, {elapsed:.1f}s)")


def _encode_chunk(specs: list, start: int, stop: int) -> bytes:
    matrices = []
    for _name, kind, nullable, data in specs:
        part = data[start:stop]
        if kind == "int":
            matrices.append(encode.int_matrix(part, (part < 0) if nullable else None))
        elif kind == "cents":
            matrices.append(encode.cents_matrix(part, (part < 0) if nullable else None))
        elif kind == "ts":
            matrices.append(encode.timestamp_matrix(part))
        elif kind == "date":
            matrices.append(encode.date_matrix(part))
        elif kind == "bool":
            matrices.append(encode.bool_matrix(part))
        else:
            matrices.append(encode.text_matrix(as_bytes(part)))
    return encode.join_rows(matrices)


def _python_values(kind: str, nullable: bool, data: np.ndarray) -> list:
    """One column as the Python values Django's SQLite backend stores (naive UTC text for times)."""
    if kind == "int":
        values = data.astype(np.int64).tolist()
        return [None if v < 0 else v for v in values] if nullable else values
    if kind == "cents":
        return [None if (nullable and c < 0) else f"{c // 100}.{c % 100:02d}" for c in data.astype(np.int64).tolist()]
    if kind == "ts":
        null = np.isnat(data)
        text = np.char.replace(data.astype("datetime64[s]").astype("S19"), b"T", b" ")
        return [None if empty else t.decode() for t, empty in zip(text.tolist(), null.tolist(), strict=True)]
    if kind == "date":
        null = np.isnat(data)
        text = data.astype("datetime64[D]").astype("S10")
        return [None if empty else t.decode() for t, empty in zip(text.tolist(), null.tolist(), strict=True)]
    if kind == "bool":
        return data.astype(bool).tolist()
    return [v.decode() for v in as_bytes(data).tolist()]
