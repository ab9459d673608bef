"""Write result frames into the analytics tables, replacing earlier results atomically.

Each write deletes the rows of exactly the scopes and periods it recomputed and
inserts the new ones in the same transaction, so a re-run yields the same rows
(no duplicates) and a reader sees either the old figures or the new ones, never
a half-written month. PostgreSQL gets the rows through binary COPY; other
databases through bulk_create.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
from django.db import connection, models

from .pgbinary import copy_frame_in

# Floats are stored to 9 decimal places (far below anything shown), the same on every database.
FLOAT_DECIMALS = 9


def _fields(model: type[models.Model], columns: list[str]) -> list[models.Field]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return [by_attname[name] for name in columns]


def _is_integer(field: models.Field) -> bool:
    return isinstance(field, models.IntegerField | models.ForeignKey | models.BigAutoField | models.AutoField)


def _db_type(field: models.Field) -> str:
    if isinstance(field, models.ForeignKey):
        return field.target_field.rel_db_type(connection)
    return field.db_type(connection)


def _python(value, field: models.Field):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if _is_integer(field):
        return int(round(float(value)))
    if isinstance(field, models.DecimalField):
        return Decimal(f"{float(value):.{field.decimal_places}f}")
    if isinstance(field, models.FloatField):
        return round(float(value), FLOAT_DECIMALS)
    if isinstance(field, models.BooleanField):
        return bool(value)
    return value


def insert_frame(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert one row per frame row; columns are field attnames (e.g. `partner_id`). NaN → NULL."""
    if frame.empty:
        return 0
    fields = _fields(model, list(frame.columns))
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = [quote(f.column) for f in fields]
        db_types = [_db_type(f) for f in fields]
        rounded = frame.copy()
        for field in fields:
            if isinstance(field, models.FloatField):
                rounded[field.attname] = pd.to_numeric(rounded[field.attname]).astype("float64").round(FLOAT_DECIMALS)
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # Derived figures that any run rebuilds: the commit need not wait for the WAL flush
                # (a database crash may lose the last fraction of a second, never consistency).
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            copy_frame_in(cursor.cursor, quote(model._meta.db_table), columns, rounded, db_types)
        return len(frame)
    names = [f.attname for f in fields]
    objects = [
        model(**{name: _python(value, field) for name, value, field in zip(names, row, fields, strict=True)})
        for row in frame.itertuples(index=False, name=None)
    ]
    model.objects.bulk_create(objects, batch_size=500)
    return len(objects)
