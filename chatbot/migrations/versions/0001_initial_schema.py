"""initial schema

Revision ID: 0001
Revises: 
Tables, constraints and indexes of the contract: categories, contacts, campaigns, messages, interactions.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('first_message', sa.JSON(), nullable=False),
    sa.Column('second_message', sa.JSON(), nullable=False),
    sa.Column('total_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('sent_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('delivered_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('read_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('interaction_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('no_interaction_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('failed_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('launched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'running', 'completed')", name=op.f('ck_campaigns_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaigns_status'), ['status'], unique=False)

    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories'))
    )
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.create_index('uq_categories_name_lower', [sa.literal_column('lower(name)')], unique=True)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('last_interaction_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('phone', name=op.f('uq_contacts_phone'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_created_at_id', ['created_at', 'id'], unique=False)

    op.create_table('campaign_categories',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_categories_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_campaign_categories_category_id_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'category_id', name=op.f('pk_campaign_categories'))
    )
    with op.batch_alter_table('campaign_categories', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_categories_category_id', ['category_id'], unique=False)

    op.create_table('contact_categories',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_contact_categories_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_categories_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', 'category_id', name=op.f('pk_contact_categories'))
    )
    with op.batch_alter_table('contact_categories', schema=None) as batch_op:
        batch_op.create_index('ix_contact_categories_category_id_contact_id', ['category_id', 'contact_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('wamid', sa.String(length=128), nullable=True),
    sa.Column('error_code', sa.String(length=32), nullable=True),
    sa.Column('error_message', sa.String(length=1000), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('interacted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'delivered', 'read', 'failed', 'no_interaction')", name=op.f('ck_messages_status')),
    sa.CheckConstraint('step IN (1, 2)', name=op.f('ck_messages_step')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_messages_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_messages_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('campaign_id', 'contact_id', 'step', name='uq_messages_campaign_contact_step'),
    sa.UniqueConstraint('wamid', name=op.f('uq_messages_wamid'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_campaign_id_created_at_id', ['campaign_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_messages_contact_id_created_at_id', ['contact_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_messages_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_messages_pending', ['id'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.create_index('ix_messages_status', ['status'], unique=False)
        batch_op.create_index('ix_messages_status_created_at_id', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_messages_sweep', ['sent_at'], unique=False, postgresql_where=sa.text("step = 1 AND status IN ('sent', 'delivered', 'read')"), sqlite_where=sa.text("step = 1 AND status IN ('sent', 'delivered', 'read')"))

    op.create_table('interactions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('wamid', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.String(length=4096), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_interactions_campaign_id_campaigns'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_interactions_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_interactions_message_id_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions')),
    sa.UniqueConstraint('wamid', name=op.f('uq_interactions_wamid'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_contact_id_occurred_at', ['contact_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_interactions_message_id', ['message_id'], unique=False)



def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_message_id')
        batch_op.drop_index('ix_interactions_contact_id_occurred_at')

    op.drop_table('interactions')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_sweep', postgresql_where=sa.text("step = 1 AND status IN ('sent', 'delivered', 'read')"), sqlite_where=sa.text("step = 1 AND status IN ('sent', 'delivered', 'read')"))
        batch_op.drop_index('ix_messages_status_created_at_id')
        batch_op.drop_index('ix_messages_status')
        batch_op.drop_index('ix_messages_pending', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_messages_created_at_id')
        batch_op.drop_index('ix_messages_contact_id_created_at_id')
        batch_op.drop_index('ix_messages_campaign_id_created_at_id')

    op.drop_table('messages')
    with op.batch_alter_table('contact_categories', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_categories_category_id_contact_id')

    op.drop_table('contact_categories')
    with op.batch_alter_table('campaign_categories', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_categories_category_id')

    op.drop_table('campaign_categories')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_created_at_id')

    op.drop_table('contacts')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_index('uq_categories_name_lower')

    op.drop_table('categories')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_status'))
        batch_op.drop_index(batch_op.f('ix_campaigns_created_at'))

    op.drop_table('campaigns')
