"""Members, levels, tags and level-change records (F1.4)."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.org.models import Store
from app.platform.audit import Audited
from app.platform.staff import Staff

MEMBER_STATUSES = ("inactive", "active", "frozen")
GENDERS = ("unknown", "male", "female")
CHANNELS = ("pos", "mall", "wecom", "import", "admin")
PHONE_PATTERN = r"^1[3-9]\d{9}$"


class MemberLevel(Audited, Model):
    """A level is reached when a member's paid total reaches ``threshold_fen``."""

    __tablename__ = "members_level"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    threshold_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)

    def __repr__(self) -> str:
        return self.name


member_tag_link = Table(
    "members_member_tag",
    Model.metadata,
    Column("member_id", ForeignKey("members_member.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("members_tag.id", ondelete="CASCADE"), primary_key=True),
)


class MemberTag(Model):
    __tablename__ = "members_tag"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)

    def __repr__(self) -> str:
        return self.name


class Member(Audited, Model):
    __tablename__ = "members_member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_no: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    phone: Mapped[str] = mapped_column(String(11), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    gender: Mapped[str] = mapped_column(String(8), nullable=False, default="unknown")
    birthday: Mapped[date | None] = mapped_column(Date)
    level_id: Mapped[int | None] = mapped_column(ForeignKey("members_level.id"), index=True)
    home_store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    developer_staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="inactive", index=True)
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="pos")
    paid_total_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    activated_on: Mapped[datetime | None] = mapped_column(DateTime)

    level: Mapped[MemberLevel | None] = relationship(MemberLevel)
    home_store: Mapped[Store | None] = relationship(Store)
    developer_staff: Mapped[Staff | None] = relationship(Staff)
    tags: Mapped[list[MemberTag]] = relationship(MemberTag, secondary=member_tag_link)

    def __repr__(self) -> str:
        return f"{self.member_no} {self.name}"


class LevelChange(Model):
    """A member's level moved, and the document (order/return) that moved it."""

    __tablename__ = "members_level_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    from_level_id: Mapped[int | None] = mapped_column(ForeignKey("members_level.id"))
    to_level_id: Mapped[int | None] = mapped_column(ForeignKey("members_level.id"))
    doc_no: Mapped[str] = mapped_column(String(32), nullable=False)
    created_on: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, nullable=False)

    member: Mapped[Member] = relationship(Member)
    from_level: Mapped[MemberLevel | None] = relationship(MemberLevel, foreign_keys=[from_level_id])
    to_level: Mapped[MemberLevel | None] = relationship(MemberLevel, foreign_keys=[to_level_id])
