"""Set-based inserts for big writes (imports): COPY on PostgreSQL, bulk_create elsewhere.

Django's bulk_create spends most of its time building model instances and preparing
values (≈ 1 s for 6,000 members of 40 columns here); COPY of plain tuples is several
times faster. Primary keys are taken from the table's sequence first, so the caller
knows them and can insert the rows that point at them in the same way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection


def reserve_ids(model, count: int) -> list[int]:
    """`count` fresh primary keys from the table's sequence (PostgreSQL only)."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, count],
        )
        return [row[0] for row in cur.fetchall()]


def insert_rows(
    model, columns: Sequence[str], rows: Sequence[Sequence], *, ids: bool = False
) -> list[int]:
    """Insert `rows` (tuples in the order of `columns`, database column names; JSON
    fields as Python values). With `ids=True` the new primary keys are returned, in row
    order. Runs in the caller's transaction."""
    if not rows:
        return []
    json_columns = {
        f.column for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"
    }
    if connection.vendor != "postgresql":
        return _bulk_create(model, columns, rows, ids)
    pks: list[int] = []
    if ids:
        pks = reserve_ids(model, len(rows))
        columns = [model._meta.pk.column, *columns]
        rows = [(pk, *row) for pk, row in zip(pks, rows, strict=True)]
    positions = [i for i, c in enumerate(columns) if c in json_columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608 - names from the model
        for row in rows:
            if positions:
                row = list(row)
                for i in positions:
                    row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)
    return pks


def _bulk_create(model, columns, rows, ids: bool) -> list[int]:
    by_column = {f.column: f.attname for f in model._meta.concrete_fields}
    attnames = [by_column[c] for c in columns]
    objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
    created = model.objects.bulk_create(objs, batch_size=1000)
    return [o.pk for o in created] if ids else []
