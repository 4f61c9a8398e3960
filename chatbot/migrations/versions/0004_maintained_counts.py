"""maintained counts: stat_counts and category_counts, the triggers that feed them, filled from the data

Revision ID: 0004
Revises: 0003
The stats and each category's contact_count read these instead of counting rows (chatbot/models/counts.py).
Filled here from the rows already there, in the migration's transaction, so an upgraded live database starts exact
(on PostgreSQL the counted tables are locked against writers meanwhile: a write between the fill and the
triggers' creation would be missed).

"""
from alembic import op
import sqlalchemy as sa

from chatbot.models import count_triggers
from chatbot.models.counts import SOURCES, TARGETS


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stat_counts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_counts'))
    )
    with op.batch_alter_table('stat_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stat_counts_key'), ['key'], unique=False)
    op.create_table('category_counts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category_counts'))
    )
    with op.batch_alter_table('category_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_category_counts_category_id'), ['category_id'], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(f"LOCK TABLE {', '.join(SOURCES)} IN SHARE MODE")
    for target in TARGETS:
        op.execute(count_triggers.fill(target))
    for statement in count_triggers.create(dialect):
        op.execute(statement)


def downgrade():
    for statement in count_triggers.drop(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table('category_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_category_counts_category_id'))
    op.drop_table('category_counts')
    with op.batch_alter_table('stat_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stat_counts_key'))
    op.drop_table('stat_counts')
