"""Write result frames into the analytics tables, replacing earlier results atomically.

Each write deletes the rows of exactly the scopes and periods it recomputed and
inserts the new ones in the same transaction, so a re-run yields the same rows
(no duplicates) and a reader sees either the old figures or the new ones, never
a half-written month. PostgreSQL gets the rows through COPY; other databases
through bulk_create.
"""

from __future__ import annotations

import io
import json
import math
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection, models, transaction


def _fields(model: type[models.Model], columns: list[str]) -> list[models.Field]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return [by_attname[name] for name in columns]


def _is_integer(field: models.Field) -> bool:
    return isinstance(field, models.IntegerField | models.ForeignKey | models.BigAutoField | models.AutoField)


def _csv_ready(frame: pd.DataFrame, fields: list[models.Field]) -> pd.DataFrame:
    out = {}
    for field in fields:
        values = frame[field.attname]
        if _is_integer(field):
            out[field.attname] = pd.array(np.round(values.astype("float64")), dtype="Int64")
        elif isinstance(field, models.DecimalField):
            out[field.attname] = values.astype("float64").round(field.decimal_places)
        elif isinstance(field, models.JSONField):
            out[field.attname] = [json.dumps(v) for v in values]
        elif isinstance(field, models.DateField):  # DateTimeField too
            out[field.attname] = [v.isoformat() if v is not None else None for v in values]
        else:
            out[field.attname] = values
    return pd.DataFrame(out)


def _python(value, field: models.Field):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if _is_integer(field):
        return int(round(float(value)))
    if isinstance(field, models.DecimalField):
        return Decimal(f"{float(value):.{field.decimal_places}f}")
    if isinstance(field, models.FloatField):
        return float(value)
    if isinstance(field, models.BooleanField):
        return bool(value)
    return value


def insert_frame(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert one row per frame row; columns are field attnames (e.g. `partner_id`). NaN → NULL."""
    if frame.empty:
        return 0
    fields = _fields(model, list(frame.columns))
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        _csv_ready(frame, fields).to_csv(buffer, index=False, header=False)
        buffer.seek(0)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        strings = [quote(f.column) for f in fields if isinstance(f, models.CharField | models.TextField)]
        options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(strings)})" if strings else "")
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN WITH ({options})", buffer
            )
        return len(frame)
    names = [f.attname for f in fields]
    objects = [
        model(**{name: _python(value, field) for name, value, field in zip(names, row, fields, strict=True)})
        for row in frame.itertuples(index=False, name=None)
    ]
    model.objects.bulk_create(objects, batch_size=500)
    return len(objects)


def replace_rows(model: type[models.Model], stale: models.QuerySet, frame: pd.DataFrame) -> int:
    """Delete `stale` and insert `frame` in one transaction."""
    with transaction.atomic():
        stale.delete()
        return insert_frame(model, frame)
