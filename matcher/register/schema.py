"""The register's tables (SQLAlchemy Core), the single source of the schema that the
Alembic migrations in ``matcher/register/migrations`` create.

- ``coordinators`` and their ``api_keys`` (only a SHA-256 of each key is stored);
- ``firms``: the profile as JSON (and its hash, to tell unchanged rows), the kept columns
  (phone, contact person, ... that the engine does not use), who added and last changed
  it, and ``version`` for optimistic concurrency;
- ``catalog_versions`` (content hash, when and by whom imported) and ``catalog_programs``
  (each program's content hash and JSON, so a version can be rebuilt without its files);
- ``match_sets``: a catalog version scored with one set of weights (a hash of the weights,
  and the weights themselves), so that matches computed with one weights file are never
  served for another;
- ``match_runs`` (which firm, at which version of itself, was matched in which match set)
  and ``matches`` (its eligible and possible programs by their position in the catalog
  version, with scores; written in bulk, see :mod:`matcher.register.bulk`);
- ``outcomes`` (a firm's contact history: status, note, date, who);
- ``audit`` (every change: who, when, what).

>>> sorted(metadata.tables)[:4]
['api_keys', 'audit', 'catalog_programs', 'catalog_versions']
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["metadata", "coordinators", "api_keys", "firms", "catalog_versions", "catalog_programs", "match_sets",
           "match_runs", "matches", "outcomes", "audit", "STATUSES", "ROLES", "JSONType"]

#: Outcome statuses, in the order a contact usually goes.
STATUSES = ("contacted", "interested", "applied", "awarded", "declined", "not_relevant")
#: Coordinator roles: an ``admin`` may also add coordinators and issue keys.
ROLES = ("coordinator", "admin")

#: JSON on SQLite, JSONB on PostgreSQL.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s"})

coordinators = sa.Table(
    "coordinators", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False, server_default="coordinator"),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.CheckConstraint(sa.column("role").in_(ROLES), name="role"),
)

api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("coordinator_id", sa.Integer, sa.ForeignKey("coordinators.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("revoked_at", _TS, nullable=True),
)

firms = sa.Table(
    "firms", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_id", sa.String(200), nullable=False, unique=True),
    sa.Column("name", sa.String(300), nullable=True),
    sa.Column("prefecture", sa.String(2), nullable=True),
    sa.Column("municipality", sa.String(6), nullable=True),
    sa.Column("profile", JSONType, nullable=False),
    sa.Column("kept", JSONType, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("source", sa.String(500), nullable=True),
    sa.Column("added_by", sa.String(100), nullable=False),
    sa.Column("added_at", _TS, nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
    sa.Column("updated_at", _TS, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)
sa.Index("ix_firms_name", firms.c.name)
sa.Index("ix_firms_municipality", firms.c.municipality)
sa.Index("ix_firms_version", firms.c.version)  # with match_runs': are a version's matches up to date?

catalog_versions = sa.Table(
    "catalog_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("origin", sa.String(500), nullable=True),
    sa.Column("n_programs", sa.Integer, nullable=False),
    sa.Column("imported_at", _TS, nullable=False),
    sa.Column("imported_by", sa.String(100), nullable=False),
    sa.Column("extra", JSONType, nullable=False),  # municipalities and clusters, to rebuild the catalog
)

catalog_programs = sa.Table(
    "catalog_programs", metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("catalog_versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("program_id", sa.String(200), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True),
    sa.Column("application_deadline", sa.Date, nullable=True),
    sa.Column("data", JSONType, nullable=False),
    sa.UniqueConstraint("version_id", "program_id", name="uq_catalog_programs_version_program"),
)

match_sets = sa.Table(  # a catalog version scored with one set of weights: what matches are keyed by
    "match_sets", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("catalog_versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("weights_hash", sa.String(16), nullable=False),
    sa.Column("weights", JSONType, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.UniqueConstraint("version_id", "weights_hash", name="uq_match_sets_version_weights"),
)

match_runs = sa.Table(
    "match_runs", metadata,
    sa.Column("set_id", sa.Integer, sa.ForeignKey("match_sets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("firm_pk", sa.Integer, sa.ForeignKey("firms.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("firm_version", sa.Integer, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("computed_at", _TS, nullable=False),
)
sa.Index("ix_match_runs_freshness", match_runs.c.set_id, match_runs.c.firm_version)

matches = sa.Table(  # derived data, written in bulk: no foreign keys (a firm's rows go with it in delete_firm)
    "matches", metadata,
    sa.Column("set_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("firm_pk", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),  # the program's in its version
    sa.Column("eligible", sa.Boolean, nullable=False),  # false: possible (a fact is missing)
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("rank", sa.Integer, nullable=True),  # among the firm's eligible programs, 1 = best
    sqlite_with_rowid=False,
)
sa.Index("ix_matches_program", matches.c.set_id, matches.c.position, matches.c.eligible, matches.c.score)

outcomes = sa.Table(
    "outcomes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_pk", sa.Integer, sa.ForeignKey("firms.id", ondelete="CASCADE"), nullable=False),
    sa.Column("program_id", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("catalog_version_id", sa.Integer, sa.ForeignKey("catalog_versions.id", ondelete="SET NULL"),
              nullable=True),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("recorded_at", _TS, nullable=False),
    sa.CheckConstraint(sa.column("status").in_(STATUSES), name="status"),
)
sa.Index("ix_outcomes_firm_program", outcomes.c.firm_pk, outcomes.c.program_id)
sa.Index("ix_outcomes_program", outcomes.c.program_id)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", _TS, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("entity_id", sa.String(200), nullable=True),
    sa.Column("detail", JSONType, nullable=False),
)
sa.Index("ix_audit_entity", audit.c.entity, audit.c.entity_id)
