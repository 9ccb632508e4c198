"""member_privacy: member share groups

Revision ID: member_privacy_0001
Revises:
Create Date: 2026-11-23 17:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "member_privacy_0001"
down_revision = None
branch_labels = ("member_privacy",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "member_privacy_share_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.Column("created_by_fk", sa.Integer(), nullable=True),
        sa.Column("changed_by_fk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by_fk"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["created_by_fk"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "member_privacy_group_store",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["member_privacy_share_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["store_id"], ["org_store.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("store_id"),
    )
    with op.batch_alter_table("member_privacy_group_store", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_privacy_group_store_group_id"), ["group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("member_privacy_group_store", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_privacy_group_store_group_id"))
    op.drop_table("member_privacy_group_store")
    op.drop_table("member_privacy_share_group")
