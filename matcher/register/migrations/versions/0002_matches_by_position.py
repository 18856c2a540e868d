"""matches by program position, without foreign keys or rowid: written in bulk

The matches are derived data: they are dropped with their runs and computed again on
the next question asked of the register.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('ix_matches_program')
    op.drop_table('matches')
    op.execute(sa.text('DELETE FROM match_runs'))
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
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index('ix_matches_program', ['version_id', 'position', 'eligible', 'score'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('ix_matches_program')
    op.drop_table('matches')
    op.execute(sa.text('DELETE FROM match_runs'))
    op.create_table('matches',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('firm_pk', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['firm_pk'], ['firms.id'], name=op.f('fk_matches_firm_pk_firms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_matches_version_id_catalog_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'firm_pk', 'program_id', name=op.f('pk_matches'))
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index('ix_matches_program', ['version_id', 'program_id', 'status', 'score'], unique=False)
