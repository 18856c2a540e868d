"""The register: firms, catalog versions, matches, outcomes, coordinators, audit

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit'))
    )
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('catalog_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=500), nullable=True),
    sa.Column('n_programs', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('extra', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_versions')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_catalog_versions_content_hash'))
    )
    op.create_table('coordinators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), server_default='coordinator', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.CheckConstraint("role IN ('coordinator', 'admin')", name=op.f('ck_coordinators_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordinators')),
    sa.UniqueConstraint('name', name=op.f('uq_coordinators_name'))
    )
    op.create_table('firms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('prefecture', sa.String(length=2), nullable=True),
    sa.Column('municipality', sa.String(length=6), nullable=True),
    sa.Column('profile', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('kept', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=True),
    sa.Column('added_by', sa.String(length=100), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_firms')),
    sa.UniqueConstraint('firm_id', name=op.f('uq_firms_firm_id'))
    )
    with op.batch_alter_table('firms', schema=None) as batch_op:
        batch_op.create_index('ix_firms_municipality', ['municipality'], unique=False)
        batch_op.create_index('ix_firms_name', ['name'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['coordinator_id'], ['coordinators.id'], name=op.f('fk_api_keys_coordinator_id_coordinators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('catalog_programs',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('application_deadline', sa.Date(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_catalog_programs_version_id_catalog_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'position', name=op.f('pk_catalog_programs')),
    sa.UniqueConstraint('version_id', 'program_id', name='uq_catalog_programs_version_program')
    )
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

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_pk', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('catalog_version_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('contacted', 'interested', 'applied', 'awarded', 'declined', 'not_relevant')", name=op.f('ck_outcomes_status')),
    sa.ForeignKeyConstraint(['catalog_version_id'], ['catalog_versions.id'], name=op.f('fk_outcomes_catalog_version_id_catalog_versions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['firm_pk'], ['firms.id'], name=op.f('fk_outcomes_firm_pk_firms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index('ix_outcomes_firm_program', ['firm_pk', 'program_id'], unique=False)
        batch_op.create_index('ix_outcomes_program', ['program_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index('ix_outcomes_program')
        batch_op.drop_index('ix_outcomes_firm_program')

    op.drop_table('outcomes')
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('ix_matches_program')

    op.drop_table('matches')
    op.drop_table('match_runs')
    op.drop_table('catalog_programs')
    op.drop_table('api_keys')
    with op.batch_alter_table('firms', schema=None) as batch_op:
        batch_op.drop_index('ix_firms_name')
        batch_op.drop_index('ix_firms_municipality')

    op.drop_table('firms')
    op.drop_table('coordinators')
    op.drop_table('catalog_versions')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entity')

    op.drop_table('audit')
