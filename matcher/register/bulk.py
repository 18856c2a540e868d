"""Writing many rows at once: PostgreSQL's ``COPY``, SQLite's ``executemany`` on the driver's cursor.

The matches of a chunk of firms are hundreds of thousands of small rows; going through
SQLAlchemy's statement compilation row by row costs more than the database itself. Rows
are plain tuples in the order of ``columns``; they are written inside the caller's
transaction (the connection of :meth:`Register.transaction`), so a chunk is still all or
nothing.

>>> import sqlalchemy as sa
>>> engine = sa.create_engine("sqlite://")
>>> table = sa.Table("pairs", sa.MetaData(), sa.Column("a", sa.Integer), sa.Column("b", sa.Float))
>>> table.create(engine)
>>> with engine.begin() as conn:
...     insert_rows(conn, table, ("a", "b"), [(1, 0.5), (2, 0.25)])
2
>>> with engine.connect() as conn:
...     conn.execute(sa.select(sa.func.sum(table.c.b))).scalar_one()
0.75
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

__all__ = ["insert_rows", "SQLITE_BATCH"]

#: Rows handed to SQLite's ``executemany`` at once (bounds the memory of a generator's rows).
SQLITE_BATCH = 50_000


def insert_rows(conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; returns how many.

    PostgreSQL gets one ``COPY ... FROM STDIN`` (psycopg); other databases the driver's
    ``executemany`` in batches of :data:`SQLITE_BATCH`.
    """
    names = [table.c[c].name for c in columns]  # a KeyError names a column the table lacks
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
    target = conn.dialect.identifier_preparer.format_table(table)
    raw = conn.connection.dbapi_connection
    cur = raw.cursor()
    n = 0
    try:
        if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
            with cur.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        marks = ", ".join([conn.dialect.paramstyle == "qmark" and "?" or "%s"] * len(names))
        sql = f"INSERT INTO {target} ({quoted}) VALUES ({marks})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= SQLITE_BATCH:
                cur.executemany(sql, batch)
                n += len(batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
        return n
    finally:
        cur.close()
