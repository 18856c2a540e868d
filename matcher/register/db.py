"""Where the register lives and how it is opened: URLs, engines, migrations.

The register is a SQLite file in the user's data directory by default; ``--db PATH`` names
another file, and ``--db postgresql+psycopg://...`` (or ``MATCHER_DB``) a PostgreSQL
database for a desk of several coordinators.

>>> database_url("register.db")
'sqlite:///register.db'
>>> database_url("postgresql+psycopg://desk@db.example/register")
'postgresql+psycopg://desk@db.example/register'
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from matcher.register.errors import NotInitializedError

__all__ = ["database_url", "default_database_path", "create_db_engine", "upgrade", "downgrade", "current_revision",
           "head_revision", "check_schema", "ENV_VAR"]

#: The environment variable that names the register's database when ``--db`` is not given.
ENV_VAR = "MATCHER_DB"


def default_database_path() -> Path:
    """``register.db`` in the user's data directory (``~/.local/share/shien-matcher`` on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("shien-matcher", appauthor=False) / "register.db"


def database_url(db: str | os.PathLike | None = None) -> str:
    """A SQLAlchemy URL from ``--db`` (a URL or a SQLite file path), else ``MATCHER_DB``, else the default file."""
    if db is None or str(db) == "":
        db = os.environ.get(ENV_VAR) or default_database_path()
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{text}"


def _sqlite_pragmas(dbapi_conn, firm_record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")  # several writers queue instead of failing at once
    cur.execute("PRAGMA journal_mode=WAL")  # readers go on while an import writes
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives a killed process
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB of pages: bulk writes of matches into two B-trees
    cur.close()
    dbapi_conn.isolation_level = None  # transactions are begun by _sqlite_begin, not by pysqlite


def _sqlite_begin(conn: sa.Connection) -> None:
    # a write transaction (Register.transaction) takes the write lock at BEGIN, so that two
    # writers queue on busy_timeout instead of one failing when it upgrades a read lock
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("immediate") else "BEGIN")


def create_db_engine(url: str, *, create_dir: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a 30 s busy timeout."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            path = Path(u.database)
            if create_dir:
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.exists():
                raise NotInitializedError(f"db: no register at {path}; create it with: matcher register --db {path} init")
        engine = sa.create_engine(u, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(u, pool_pre_ping=True)


def _config(connection: sa.Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("matcher.register") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration shipped with this version of the package."""
    from alembic.script import ScriptDirectory

    cfg = _config(None)
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (``None``: no register yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Create the register's tables, or bring them to ``revision``; returns the revision reached."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    """Bring the register's tables back to an older migration (``revision``); returns the revision reached.

    Derived data of the newer schema (matches) may be dropped on the way, never firms, outcomes or the audit log.
    """
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)
    return current_revision(engine)


def check_schema(engine: Engine) -> None:
    """Raise :class:`NotInitializedError` unless the database is at the newest migration."""
    rev, head = current_revision(engine), head_revision()
    if rev != head:
        what = "no register" if rev is None else f"a register at migration {rev}, this version needs {head}"
        raise NotInitializedError(f"db: {what} in {engine.url.render_as_string(hide_password=True)}; "
                                  "create or upgrade it with: matcher register init")
