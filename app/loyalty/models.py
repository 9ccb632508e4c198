"""Stored value and points: an account row with a balance, and an append-only ledger.

The balance always equals the sum of the ledger; both change in one
transaction through a guarded UPDATE (see loyalty/services.py).
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.members.models import Member

SV_KINDS = ("recharge", "consume", "refund", "adjust")
POINTS_KINDS = ("earn", "redeem", "reverse", "adjust", "reset")


class StoredValueAccount(Model):
    __tablename__ = "loyalty_sv_account"
    __table_args__ = (CheckConstraint("balance_fen >= 0", name="ck_loyalty_sv_account_non_negative"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), unique=True, nullable=False)
    balance_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    member: Mapped[Member] = relationship(Member)


class StoredValueTxn(Model):
    __tablename__ = "loyalty_sv_txn"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("loyalty_sv_account.id"), nullable=False, index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)  # signed: + in, - out
    balance_after_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    txn_no: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    doc_no: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"))
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, nullable=False)
    member: Mapped[Member] = relationship(Member)


class PointsAccount(Model):
    __tablename__ = "loyalty_points_account"
    __table_args__ = (CheckConstraint("balance >= 0", name="ck_loyalty_points_account_non_negative"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), unique=True, nullable=False)
    balance: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    member: Mapped[Member] = relationship(Member)


class PointsTxn(Model):
    __tablename__ = "loyalty_points_txn"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("loyalty_points_account.id"), nullable=False, index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    points: Mapped[int] = mapped_column(BigInteger, nullable=False)  # signed
    balance_after: Mapped[int] = mapped_column(BigInteger, nullable=False)
    doc_no: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, nullable=False)
    member: Mapped[Member] = relationship(Member)
