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


# --- reset: points reset (积分清零) ---
from datetime import date as _date  # noqa: E402
from datetime import datetime as _datetime  # noqa: E402

from flask_appbuilder import Model as _Model  # noqa: E402
from sqlalchemy import JSON as _JSON  # noqa: E402
from sqlalchemy import BigInteger as _BigInteger  # noqa: E402
from sqlalchemy import Date as _Date  # noqa: E402
from sqlalchemy import DateTime as _DateTime  # noqa: E402
from sqlalchemy import ForeignKey as _ForeignKey  # noqa: E402
from sqlalchemy import Integer as _Integer  # noqa: E402
from sqlalchemy import String as _String  # noqa: E402
from sqlalchemy import Text as _Text  # noqa: E402
from sqlalchemy import UniqueConstraint as _UniqueConstraint  # noqa: E402
from sqlalchemy.orm import Mapped as _Mapped  # noqa: E402
from sqlalchemy.orm import mapped_column as _column  # noqa: E402
from sqlalchemy.orm import relationship as _relationship  # noqa: E402

from app.members.models import MemberLevel as _MemberLevel  # noqa: E402


class PointsReset(_Model):
    """One points reset (积分清零): its form, its progress and what it did.

    ``reason`` becomes the note of every ledger row (members see it in their points
    history); ``remark`` stays in the back office.  The job resets the members of the
    scope with ``member_id <= upper_member_id`` (those existing when it started) in
    batches by member id; ``checkpoint_member_id`` is the last member id of the last
    committed batch, so a stopped job resumes after it.
    """

    __tablename__ = "points_mall_reset"
    id: _Mapped[int] = _column(_Integer, primary_key=True)
    reset_no: _Mapped[str] = _column(_String(20), unique=True, nullable=False)
    reason: _Mapped[str] = _column(_String(100), nullable=False)
    remark: _Mapped[str] = _column(_String(500), nullable=False, default="")
    scope: _Mapped[str] = _column(_String(10), nullable=False, default="all")  # all|level|segment|stores
    level_id: _Mapped[int | None] = _column(_ForeignKey("members_level.id"))
    segment_key: _Mapped[str | None] = _column(_String(60))  # a core member segment (share group)
    segment_label: _Mapped[str] = _column(_String(100), nullable=False, default="")
    store_ids: _Mapped[list | None] = _column(_JSON)
    earned_before: _Mapped[_date | None] = _column(_Date)
    status: _Mapped[str] = _column(_String(12), nullable=False, default="queued", index=True)
    upper_member_id: _Mapped[int | None] = _column(_Integer)
    checkpoint_member_id: _Mapped[int] = _column(_Integer, nullable=False, default=0)
    member_count: _Mapped[int] = _column(_Integer, nullable=False, default=0)
    points_total: _Mapped[int] = _column(_BigInteger, nullable=False, default=0)
    job_id: _Mapped[int | None] = _column(_ForeignKey("core_job.id"))
    message: _Mapped[str] = _column(_Text, nullable=False, default="")
    created_by_fk: _Mapped[int | None] = _column(_ForeignKey("ab_user.id"))
    created_on: _Mapped[_datetime] = _column(_DateTime, default=_datetime.now, nullable=False)
    started_on: _Mapped[_datetime | None] = _column(_DateTime)
    heartbeat_on: _Mapped[_datetime | None] = _column(_DateTime)
    finished_on: _Mapped[_datetime | None] = _column(_DateTime)

    level: _Mapped[_MemberLevel | None] = _relationship(_MemberLevel)

    @property
    def progress(self) -> int:
        """Percent of the member id range done, for the admin's progress bar."""
        if self.status == "completed":
            return 100
        if not self.upper_member_id:
            return 0
        return min(99, int(self.checkpoint_member_id * 100 / self.upper_member_id))

    def __repr__(self) -> str:
        return self.reset_no


class PointsResetBatch(_Model):
    """One committed batch of a reset: its member id range and the block of document numbers
    its ledger rows took (``doc_prefix`` + ``first_seq`` … ``first_seq + members - 1``)."""

    __tablename__ = "points_mall_reset_batch"
    __table_args__ = (_UniqueConstraint("reset_id", "lo", name="uq_points_mall_reset_batch_lo"),
                      {"extend_existing": True})
    id: _Mapped[int] = _column(_Integer, primary_key=True)
    reset_id: _Mapped[int] = _column(_ForeignKey("points_mall_reset.id"), nullable=False, index=True)
    lo: _Mapped[int] = _column(_Integer, nullable=False)  # members lo < id <= hi
    hi: _Mapped[int] = _column(_Integer, nullable=False)
    doc_prefix: _Mapped[str] = _column(_String(24), nullable=False, default="")
    first_seq: _Mapped[int] = _column(_Integer, nullable=False, default=0)
    members: _Mapped[int] = _column(_Integer, nullable=False, default=0)
    points: _Mapped[int] = _column(_BigInteger, nullable=False, default=0)
    created_on: _Mapped[_datetime] = _column(_DateTime, default=_datetime.now, nullable=False)
