"""webhook_intake: notifications acknowledged under load, applied in batches afterwards

Revision ID: 0008
Revises: 0007
Under a burst a webhook group is stored as raw bodies (one small insert) and answered 200 once committed; the
batcher applies the rows when the burst eases (chatbot/messaging/intake.py). A row lives seconds.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    big_id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
    op.create_table(
        'webhook_intake',
        sa.Column('id', big_id, primary_key=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('error', sa.String(length=1000), nullable=True),
    )


def downgrade():
    op.drop_table('webhook_intake')
