"""Mall items (physical or virtual goods), exchange orders and the per-member exchange counts.

Stock, limits and points move by guarded updates only (see services.py): an item's ``stock``
never goes below zero, a member's count never passes the item's limit.
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Sku
from app.members.models import Member
from app.org.models import Store
from app.platform.audit import Audited
from plugins.coupons.models import Coupon, CouponRule

ITEM_KINDS = ("physical", "virtual")
FULFILMENTS = ("delivery", "pickup")
ORDER_STATUSES = ("pending", "shipped", "ready", "done", "cancelled")


class MallItem(Audited, Model):
    """A good members exchange for points: a SKU (physical) or an audited coupon rule (virtual)."""

    __tablename__ = "points_mall_item"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="ck_points_mall_item_stock"),
        {"extend_existing": True},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="physical", index=True)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    image_url: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    # physical: the SKU and where its stock is taken from (None = HQ: the mall's own stock only)
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_sku.id"), index=True)
    source_store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    allow_delivery: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    allow_pickup: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # virtual: the coupon rule issued (coupons plugin)
    coupon_rule_id: Mapped[int | None] = mapped_column(ForeignKey("coupons_rule.id"), index=True)
    points_price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    cash_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    stock: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    exchanged_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    per_member_limit: Mapped[int | None] = mapped_column(Integer)
    per_member_daily_limit: Mapped[int | None] = mapped_column(Integer)
    on_shelf: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    valid_from: Mapped[datetime | None] = mapped_column(DateTime)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    sku: Mapped[Sku | None] = relationship(Sku)
    source_store: Mapped[Store | None] = relationship(Store)
    coupon_rule: Mapped[CouponRule | None] = relationship(CouponRule)

    def __repr__(self) -> str:
        return self.name


class MallOrder(Model):
    """One exchange. Virtual orders carry the issued coupon and nothing about delivery; physical
    orders are delivered (address) or picked up at ``store_id`` with ``pickup_code``."""

    __tablename__ = "points_mall_order"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("points_mall_item.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    item_name: Mapped[str] = mapped_column(String(100), nullable=False)
    qty: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    points: Mapped[int] = mapped_column(BigInteger, nullable=False)
    cash_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    payment_method: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    payment_ref: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    # physical only
    fulfilment: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_sku.id"))
    source_store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"))
    receiver_name: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    receiver_phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    carrier: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    tracking_no: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)  # pick-up store
    pickup_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    # virtual only: the coupon issued
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons_coupon.id"))
    cancel_reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, nullable=False, index=True)
    shipped_on: Mapped[datetime | None] = mapped_column(DateTime)
    done_on: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_on: Mapped[datetime | None] = mapped_column(DateTime)
    handled_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    member: Mapped[Member] = relationship(Member)
    item: Mapped[MallItem] = relationship(MallItem)
    sku: Mapped[Sku | None] = relationship(Sku)
    source_store: Mapped[Store | None] = relationship(Store, foreign_keys=[source_store_id])
    store: Mapped[Store | None] = relationship(Store, foreign_keys=[store_id])
    coupon: Mapped[Coupon | None] = relationship(Coupon)

    def __repr__(self) -> str:
        return self.order_no


class MallMemberCount(Model):
    """How many of an item a member exchanged: ``period`` "total" or a day "YYYY-MM-DD" (limits)."""

    __tablename__ = "points_mall_member_count"
    __table_args__ = (UniqueConstraint("item_id", "member_id", "period"), {"extend_existing": True})
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("points_mall_item.id"), nullable=False)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    period: Mapped[str] = mapped_column(String(10), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
