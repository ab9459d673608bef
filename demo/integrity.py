"""Foreign-key checking for the bulk load, done per table instead of per row when PostgreSQL allows it.

Django's foreign keys are deferred constraints: with millions of COPY'd rows PostgreSQL queues one
check per row and runs them all at COMMIT (about a minute for the large data set). When the
database role may do so (superuser), the load runs with `session_replication_role = replica`,
which skips those per-row triggers, and every foreign key of the loaded tables is then verified
with one anti-join query per key before commit, the way pg_restore validates constraints after a
load. Any dangling reference aborts the whole transaction, so the guarantee is unchanged. Without
the privilege the ordinary per-row checks run.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import IntegrityError, connection, models


def can_skip_row_checks() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def skip_row_checks() -> None:
    """Turn the per-row foreign-key triggers off until the end of the transaction (call check_foreign_keys after)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")


def restore_row_checks() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _keys(model_list: list[type[models.Model]]) -> Iterator[tuple[type[models.Model], models.Field]]:
    """(table model, foreign key) pairs of the models and their auto-created M2M tables, once each."""
    seen = set()
    for model in model_list:
        through = [f.remote_field.through for f in model._meta.local_many_to_many]
        for table_model in [model, *[t for t in through if t._meta.auto_created]]:
            if not table_model._meta.managed or table_model._meta.proxy:
                continue
            for field in table_model._meta.concrete_fields:
                if field.is_relation and field.db_constraint and (table_model, field.column) not in seen:
                    seen.add((table_model, field.column))
                    yield table_model, field


def check_foreign_keys(model_list: list[type[models.Model]]) -> int:
    """Raise IntegrityError naming the first foreign key of `model_list` that points at a missing row.

    Returns how many foreign keys were checked.
    """
    quote = connection.ops.quote_name
    checked = 0
    with connection.cursor() as cursor:
        for model, field in _keys(model_list):
            checked += 1
            child, column = quote(model._meta.db_table), quote(field.column)
            parent = field.related_model
            target = quote(parent._meta.get_field(field.target_field.name).column)
            cursor.execute(
                f"SELECT c.{column} FROM {child} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {quote(parent._meta.db_table)} p WHERE p.{target} = c.{column}) LIMIT 1"
            )
            row = cursor.fetchone()
            if row is not None:
                raise IntegrityError(
                    f"{model._meta.db_table}.{field.column} = {row[0]} points at no {parent._meta.db_table} row"
                )
    return checked
