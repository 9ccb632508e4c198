"""payment_code: refused pay codes (HQ's list)

Revision ID: payment_code_0002
Revises: payment_code_0001
Create Date: 2026-11-27 06:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'payment_code_0002'
down_revision = 'payment_code_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payment_code_refusal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('code_masked', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['org_store.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payment_code_refusal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_code_refusal_created_on'), ['created_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_code_refusal_reason'), ['reason'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_code_refusal_store_id'), ['store_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payment_code_refusal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_code_refusal_store_id'))
        batch_op.drop_index(batch_op.f('ix_payment_code_refusal_reason'))
        batch_op.drop_index(batch_op.f('ix_payment_code_refusal_created_on'))
    op.drop_table('payment_code_refusal')
