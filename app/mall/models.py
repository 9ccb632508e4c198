"""Member (mall) login (one-time codes sent by SMS) and members' ``Idempotency-Key`` records."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class MallLoginCode(Model):
    __tablename__ = "mall_login_code"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), nullable=False, index=True)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_on: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, nullable=False, index=True)


class MallIdempotency(Model):
    """The first response to a member's mall POST with an ``Idempotency-Key`` (members are not FAB users,
    so the staff table cannot hold them)."""

    __tablename__ = "mall_idempotency"
    __table_args__ = (UniqueConstraint("member_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
