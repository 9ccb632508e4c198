"""points_mall: points reset (积分清零) — the resets with their checkpoint and counters

Revision ID: points_mall_0002
Revises: points_mall_0001
Create Date: 2026-11-27 03:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "points_mall_0002"
down_revision = "points_mall_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "points_mall_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reset_no", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("remark", sa.String(length=500), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=True),
        sa.Column("segment_key", sa.String(length=60), nullable=True),
        sa.Column("segment_label", sa.String(length=100), nullable=False),
        sa.Column("store_ids", sa.JSON(), nullable=True),
        sa.Column("earned_before", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("upper_member_id", sa.Integer(), nullable=True),
        sa.Column("checkpoint_member_id", sa.Integer(), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("points_total", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_by_fk", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("started_on", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_on", sa.DateTime(), nullable=True),
        sa.Column("finished_on", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_fk"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["job_id"], ["core_job.id"]),
        sa.ForeignKeyConstraint(["level_id"], ["members_level.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reset_no"),
    )
    with op.batch_alter_table("points_mall_reset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_points_mall_reset_status"), ["status"], unique=False)
    op.create_table(
        "points_mall_reset_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reset_id", sa.Integer(), nullable=False),
        sa.Column("lo", sa.Integer(), nullable=False),
        sa.Column("hi", sa.Integer(), nullable=False),
        sa.Column("doc_prefix", sa.String(length=24), nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["reset_id"], ["points_mall_reset.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reset_id", "lo", name="uq_points_mall_reset_batch_lo"),
    )
    with op.batch_alter_table("points_mall_reset_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_points_mall_reset_batch_reset_id"), ["reset_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("points_mall_reset_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_mall_reset_batch_reset_id"))
    op.drop_table("points_mall_reset_batch")
    with op.batch_alter_table("points_mall_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_mall_reset_status"))
    op.drop_table("points_mall_reset")
