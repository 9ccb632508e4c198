"""The staff row: which store a login works in.

It lives in the kernel because the security layer below the org domain's pages reads it
on every request (store scope, the API caller); the org domain registers the table and
manages it (``app.org``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.platform.audit import Audited

if TYPE_CHECKING:
    from app.org.models import Store

STAFF_STATUSES = ("active", "left")


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
    store: Mapped[Store | None] = relationship("Store")  # by name: the org domain maps it

    def __repr__(self) -> str:
        return f"{self.employee_no} {self.name}"
