"""matches keyed by match set: a catalog version scored with one set of weights

Before, matches were kept by catalog version alone, so a register opened with a weights
file (``serve --weights``, ``matcher register --weights``, the file ``register learn``
writes) served the matches computed with other weights. A match set is (catalog version,
hash of the weights); ``match_runs`` and ``matches`` name it instead of the version.

The matches are derived data, and which weights computed the rows already stored cannot be
told (the defaults of the version that wrote them, which may not be this version's): they
are dropped, and computed again on the next question asked of the register (``matcher
register match`` does it at once).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def _drop_matches() -> None:
    op.drop_index('ix_matches_program', table_name='matches')
    op.drop_table('matches')
    op.drop_index('ix_match_runs_freshness', table_name='match_runs')
    op.drop_table('match_runs')


def upgrade() -> None:
    _drop_matches()
    op.create_table('match_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('weights_hash', sa.String(length=16), nullable=False),
    sa.Column('weights', _JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_match_sets_version_id_catalog_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_sets')),
    sa.UniqueConstraint('version_id', 'weights_hash', name='uq_match_sets_version_weights')
    )
    op.create_table('match_runs',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('firm_pk', sa.Integer(), nullable=False),
    sa.Column('firm_version', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_pk'], ['firms.id'], name=op.f('fk_match_runs_firm_pk_firms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_id'], ['match_sets.id'], name=op.f('fk_match_runs_set_id_match_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', 'firm_pk', name=op.f('pk_match_runs'))
    )
    op.create_index('ix_match_runs_freshness', 'match_runs', ['set_id', 'firm_version'], unique=False)
    op.create_table('matches',
    sa.Column('set_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('firm_pk', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('set_id', 'firm_pk', 'position', name=op.f('pk_matches')),
    sqlite_with_rowid=False
    )
    op.create_index('ix_matches_program', 'matches', ['set_id', 'position', 'eligible', 'score'], unique=False)


def downgrade() -> None:
    _drop_matches()
    op.drop_table('match_sets')
    op.create_table('match_runs',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('firm_pk', sa.Integer(), nullable=False),
    sa.Column('firm_version', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_pk'], ['firms.id'], name=op.f('fk_match_runs_firm_pk_firms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_match_runs_version_id_catalog_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'firm_pk', name=op.f('pk_match_runs'))
    )
    op.create_index('ix_match_runs_freshness', 'match_runs', ['version_id', 'firm_version'], unique=False)
    op.create_table('matches',
    sa.Column('version_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('firm_pk', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('version_id', 'firm_pk', 'position', name=op.f('pk_matches')),
    sqlite_with_rowid=False
    )
    op.create_index('ix_matches_program', 'matches', ['version_id', 'position', 'eligible', 'score'], unique=False)
