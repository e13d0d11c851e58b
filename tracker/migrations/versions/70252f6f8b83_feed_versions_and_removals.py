"""feed versions and removals

Revision ID: 70252f6f8b83
Revises: c4f1e2a9d7b3
Create Date: 2026-11-25 19:14:10.064812

export_version: each export's last content hash and since when, for an exact HTTP
Last-Modified. agenda_removal: sessions a user took out of their agenda, which their feed
keeps as cancelled so that calendar apps remove them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '70252f6f8b83'
down_revision = 'c4f1e2a9d7b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_version',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_export_version'))
    )
    op.create_table('agenda_removal',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('talk_id', sa.Integer(), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['talk_id'], ['talk.id'], name=op.f('fk_agenda_removal_talk_id_talk'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_agenda_removal_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'talk_id', name=op.f('pk_agenda_removal'))
    )


def downgrade():
    op.drop_table('agenda_removal')
    op.drop_table('export_version')
