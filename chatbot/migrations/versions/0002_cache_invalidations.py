"""cache invalidations Redis could not take

Revision ID: 0002
Revises: 0001
A write made while Redis is away records the cache keys it could not drop, in its own transaction;
every process drops them in Redis before it trusts a cached value again (chatbot/cache/durable.py).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cache_invalidations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('keys', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_invalidations'))
    )


def downgrade():
    op.drop_table('cache_invalidations')
