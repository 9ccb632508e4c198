"""sales: list price and price-override approver on order lines

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-11-26 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'core_0003'
down_revision = 'core_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sales_order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_price_fen', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_fk', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_sales_order_line_approved_by_fk', 'ab_user', ['approved_by_fk'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('sales_order_line', schema=None) as batch_op:
        batch_op.drop_constraint('fk_sales_order_line_approved_by_fk', type_='foreignkey')
        batch_op.drop_column('approved_by_fk')
        batch_op.drop_column('list_price_fen')
