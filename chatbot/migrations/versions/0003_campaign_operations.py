"""campaign operations: paused campaigns, opted-out contacts, the answers inbox's indexes

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OPTED_OUT = "opted_out_at IS NOT NULL"


def upgrade():
    # batch mode: SQLite rebuilds the table to change a CHECK constraint.
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaigns_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('draft', 'running', 'paused', 'completed')")
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_contacts_opted_out', ['id'], unique=False,
                              postgresql_where=sa.text(OPTED_OUT), sqlite_where=sa.text(OPTED_OUT))
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_occurred_at_id', ['occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_interactions_campaign_id_occurred_at_id', ['campaign_id', 'occurred_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_campaign_id_occurred_at_id')
        batch_op.drop_index('ix_interactions_occurred_at_id')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_opted_out', postgresql_where=sa.text(OPTED_OUT),
                            sqlite_where=sa.text(OPTED_OUT))
        batch_op.drop_column('opted_out_at')
    op.execute("UPDATE campaigns SET status = 'running' WHERE status = 'paused'")
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaigns_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('draft', 'running', 'completed')")
