"""messages.send_started_at: an attempt begun (crash safety) and the messaging limit's reach index

Revision ID: 0005
Revises: 0004
A pending message whose attempt started (`send_started_at` set) and whose lease expired may have reached Meta:
the dispatcher never re-sends it by itself, `flask dispatch audit` lists it. The reach index serves the messaging
limit's count: unique contacts whose first message started going out in the last 24 h.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

FIRST = "step = 1"
IN_DOUBT = "status = 'pending' AND send_started_at IS NOT NULL"


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_messages_reach', ['send_started_at', 'contact_id', 'status'], unique=False,
                              postgresql_where=sa.text(FIRST), sqlite_where=sa.text(FIRST))
        batch_op.create_index('ix_messages_in_doubt', ['next_attempt_at'], unique=False,
                              postgresql_where=sa.text(IN_DOUBT), sqlite_where=sa.text(IN_DOUBT))


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_in_doubt', postgresql_where=sa.text(IN_DOUBT),
                            sqlite_where=sa.text(IN_DOUBT))
        batch_op.drop_index('ix_messages_reach', postgresql_where=sa.text(FIRST), sqlite_where=sa.text(FIRST))
        batch_op.drop_column('send_started_at')
