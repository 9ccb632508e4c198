"""Stores and staff. A staff row links a FAB user to the store it works in."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.platform.audit import Audited

STORE_KINDS = ("direct", "franchise")
STORE_STATUSES = ("active", "closed")
STAFF_STATUSES = ("active", "left")


class Store(Audited, Model):
    __tablename__ = "org_store"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="direct")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    def __repr__(self) -> str:
        return f"{self.code} {self.name}"


class Staff(Audited, Model):
    __tablename__ = "org_staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), unique=True, nullable=False)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    employee_no: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    phone: Mapped[str] = mapped_column(String(11), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    left_on: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(User, foreign_keys=[user_id])
    store: Mapped[Store | None] = relationship(Store)

    def __repr__(self) -> str:
        return f"{self.employee_no} {self.name}"
