"""wecom_guide: the ownership row's copies of the member's last 4 phone digits, paid total, level,
status and last purchase,
with indexes led by the guide (the workbench's searches read the guide's own rows only).

Existing rows are filled from the members and their orders.

Revision ID: wecom_guide_0003
Revises: wecom_guide_0002
Create Date: 2026-11-28 06:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'wecom_guide_0003'
down_revision = 'wecom_guide_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wecom_guide_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_last4', sa.String(length=4), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_purchase_on', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('paid_total_fen', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('level_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('member_status', sa.String(length=10), nullable=False, server_default=''))
    op.execute(
        "UPDATE wecom_guide_member SET "
        "phone_last4 = COALESCE((SELECT substr(m.phone, length(m.phone) - 3) FROM members_member m "
        "                        WHERE m.id = wecom_guide_member.member_id), ''), "
        "paid_total_fen = COALESCE((SELECT m.paid_total_fen FROM members_member m "
        "                           WHERE m.id = wecom_guide_member.member_id), 0), "
        "level_id = (SELECT m.level_id FROM members_member m WHERE m.id = wecom_guide_member.member_id), "
        "member_status = COALESCE((SELECT m.status FROM members_member m "
        "                          WHERE m.id = wecom_guide_member.member_id), ''), "
        "last_purchase_on = (SELECT max(o.created_on) FROM sales_order o "
        "                    WHERE o.member_id = wecom_guide_member.member_id)"
    )
    with op.batch_alter_table('wecom_guide_member', schema=None) as batch_op:
        batch_op.create_index('ix_wecom_guide_member_staff_phone4', ['staff_id', 'phone_last4'], unique=False)
        batch_op.create_index('ix_wecom_guide_member_staff_purchase', ['staff_id', 'last_purchase_on', 'member_id'],
                              unique=False)
        batch_op.create_index('ix_wecom_guide_member_staff_spend', ['staff_id', 'paid_total_fen', 'member_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wecom_guide_member', schema=None) as batch_op:
        batch_op.drop_index('ix_wecom_guide_member_staff_spend')
        batch_op.drop_index('ix_wecom_guide_member_staff_purchase')
        batch_op.drop_index('ix_wecom_guide_member_staff_phone4')
        batch_op.drop_column('member_status')
        batch_op.drop_column('level_id')
        batch_op.drop_column('paid_total_fen')
        batch_op.drop_column('last_purchase_on')
        batch_op.drop_column('phone_last4')
