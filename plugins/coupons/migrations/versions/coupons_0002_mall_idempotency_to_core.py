"""coupons: members' Idempotency-Key records move to the core mall (mall_idempotency)

Revision ID: coupons_0002
Revises: coupons_0001
Create Date: 2026-11-26 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "coupons_0002"
down_revision = "coupons_0001"
branch_labels = None
depends_on = "core_0004"

OLD, NEW = "coupons_mall_idempotency", "mall_idempotency"
COLUMNS = "member_id, key, fingerprint, status_code, response, created_on"


def _copy(source: str, target: str) -> None:
    """Copy the records ``target`` does not hold yet (ids are drawn anew)."""
    op.execute(
        f"INSERT INTO {target} ({COLUMNS}) SELECT {COLUMNS} FROM {source} s"
        f" WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.member_id = s.member_id AND t.key = s.key)"
    )


def upgrade() -> None:
    _copy(OLD, NEW)
    op.drop_table(OLD)


def downgrade() -> None:
    op.create_table(
        OLD,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members_member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "key"),
    )
    _copy(NEW, OLD)
