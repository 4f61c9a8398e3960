"""early_statuses: status webhooks that arrived before their send's batched outcome was committed

Revision ID: 0007
Revises: 0006
The dispatcher writes the outcomes of its sends in batches (one statement every few milliseconds): a status
webhook for a wamid not committed yet is kept here and applied by the outcome batch that writes the wamid.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    big_id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
    op.create_table(
        'early_statuses',
        sa.Column('id', big_id, primary_key=True),
        sa.Column('wamid', sa.String(length=128), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('error_code', sa.String(length=32), nullable=True),
        sa.Column('error_message', sa.String(length=1000), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_early_statuses_wamid', 'early_statuses', ['wamid'])
    op.create_index('ix_early_statuses_received_at', 'early_statuses', ['received_at'])


def downgrade():
    op.drop_index('ix_early_statuses_received_at', table_name='early_statuses')
    op.drop_index('ix_early_statuses_wamid', table_name='early_statuses')
    op.drop_table('early_statuses')
