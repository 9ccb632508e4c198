"""wecom_guide: when a callback event's processing began (``claimed_at``), so an event left
"received" by a worker that died is processed again once its lease has passed.

Revision ID: wecom_guide_0004
Revises: wecom_guide_0003
Create Date: 2026-11-28 07:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'wecom_guide_0004'
down_revision = 'wecom_guide_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wecom_guide_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE wecom_guide_event SET claimed_at = received_at")
    with op.batch_alter_table('wecom_guide_event', schema=None) as batch_op:
        batch_op.create_index('ix_wecom_guide_event_status_claimed', ['status', 'claimed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wecom_guide_event', schema=None) as batch_op:
        batch_op.drop_index('ix_wecom_guide_event_status_claimed')
        batch_op.drop_column('claimed_at')
