"""A backup of the register: a new SQLite file holding every row, itself a register.

Works from SQLite and from PostgreSQL alike: the backup is created by the same migrations,
then each table is copied in key order, in batches, inside one read transaction (on
PostgreSQL a repeatable-read snapshot, so a backup taken while coordinators work is
consistent). The backup opens as it is (``--db BACKUP``), and :func:`copy_register`
restores it onto an empty register anywhere (``matcher register restore BACKUP --db URL``).
An existing file is never overwritten.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

import matcher.register.schema as t
from matcher.register.db import create_db_engine, database_url, upgrade

__all__ = ["backup", "copy_register"]

_ORDER = ("coordinators", "api_keys", "catalog_versions", "catalog_programs", "firms", "match_sets", "match_runs",
          "matches", "outcomes", "audit")


def copy_register(source: sa.Engine, target: sa.Engine, batch: int = 5000) -> dict[str, int]:
    """Copy every row of ``source``'s register into ``target``'s (created and empty); rows per table."""
    upgrade(target)
    counts: dict[str, int] = {}
    with target.connect() as tconn:
        for name in _ORDER:
            if tconn.execute(sa.select(sa.func.count()).select_from(t.metadata.tables[name])).scalar_one():
                raise ValueError(f"target register is not empty: table {name} has rows")
    opts = {"isolation_level": "REPEATABLE READ"} if source.dialect.name == "postgresql" else {}
    with source.connect().execution_options(**opts) as sconn, target.connect() as tconn:
        with sconn.begin(), tconn.begin():
            for name in _ORDER:
                table = t.metadata.tables[name]
                result = sconn.execution_options(yield_per=batch).execute(
                    sa.select(table).order_by(*table.primary_key.columns))
                n = 0
                for part in result.partitions(batch):
                    rows = [r._asdict() for r in part]
                    tconn.execute(sa.insert(table), rows)
                    n += len(rows)
                counts[name] = n
            if target.dialect.name == "postgresql":  # serial counters past the copied ids
                for name in _ORDER:
                    table = t.metadata.tables[name]
                    if "id" in table.c and table.c.id.autoincrement is not False and len(table.primary_key.columns) == 1:
                        tconn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                              f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)")
    return counts


def backup(source: sa.Engine, path: str | Path) -> dict[str, int]:
    """Back up the register of ``source`` into a new SQLite file at ``path``; rows per table."""
    p = Path(path)
    if p.exists():
        raise FileExistsError(17, "backup file exists (a backup never overwrites)", str(p))
    p.parent.mkdir(parents=True, exist_ok=True)
    target = create_db_engine(database_url(p), create_dir=True)
    try:
        return copy_register(source, target)
    except BaseException:
        target.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
        raise
    finally:
        target.dispose()
