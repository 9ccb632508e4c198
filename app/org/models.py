"""Stores. The staff row linking a login to its store is the kernel's
(``app.platform.staff``: the security layer reads it); this domain registers and manages it."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.audit import Audited

STORE_KINDS = ("direct", "franchise")
STORE_STATUSES = ("active", "closed")


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
