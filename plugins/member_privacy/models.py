"""Member share groups (会员共享组): groups of stores sharing their members.

A store belongs to at most one group: ``store_id`` is the primary key of the
link table, so the database itself refuses a second group for a store.
"""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.org.models import Store
from app.platform.audit import Audited

group_store = Table(
    "member_privacy_group_store",
    Model.metadata,
    Column("store_id", ForeignKey("org_store.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "group_id",
        ForeignKey("member_privacy_share_group.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)


class ShareGroup(Audited, Model):
    __tablename__ = "member_privacy_share_group"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    stores: Mapped[list[Store]] = relationship(Store, secondary=group_store, order_by=Store.code)

    def __repr__(self) -> str:
        return self.name
