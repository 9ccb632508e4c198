"""Recycle (device trade-in) tables: service providers and their users, trade-in orders with
their photos, quote history and state transitions.

The ``bidding`` sections at the end of this module belong to the bidding helper (bids,
settlement); nothing above them refers to those tables.
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.members.models import Member
from app.org.models import Store
from app.platform.audit import Audited
from app.platform.staff import Staff

# the state machine (plugins.recycle.services.transition); names are the API's
PENDING_REVIEW = "pending_review"
QUOTED = "quoted"  # awaiting payment
PAID = "paid"
COMPLETED = "completed"
CANCELLED = "cancelled"
STATES = (PENDING_REVIEW, QUOTED, PAID, COMPLETED, CANCELLED)

# review modes (F3.10): who reviews follows from the mode (services.reviewer_of)
SELF_OPERATED = "self_operated"  # 自营
DATA_AUTHORIZED = "data_authorized"  # 数据授权
HALF_PACKAGE = "half_package"  # 半包
FULL_PACKAGE = "full_package"  # 全包
BIDDING = "bidding"  # 竞价
MODES = (SELF_OPERATED, DATA_AUTHORIZED, HALF_PACKAGE, FULL_PACKAGE, BIDDING)
MERCHANT_MODES = (SELF_OPERATED, DATA_AUTHORIZED)
PROVIDER_MODES = (HALF_PACKAGE, FULL_PACKAGE)

# how the customer is paid (F3.11): a payment QR, or a credit against a new purchase
SETTLEMENT_METHODS = ("payment_code", "purchase_credit")
CATEGORIES = ("phone", "tablet", "laptop", "watch", "other")
# the condition checklist: the keys a guide ticks (labels in views.CONDITION_LABELS)
CONDITION_CHECKS = (
    "powers_on", "screen_intact", "screen_scratched", "body_dented", "water_damage", "battery_ok",
    "buttons_ok", "camera_ok", "biometrics_ok", "account_removed",
)


class RecycleProvider(Audited, Model):
    """A service provider (回收服务商): an organisation that reviews and buys trade-ins."""

    __tablename__ = "recycle_provider"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    contact_name: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(String(11), nullable=False, default="")
    settlement_account: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __repr__(self) -> str:
        return self.name


class RecycleProviderUser(Audited, Model):
    """A login of role ServiceProvider bound to one provider (as ``org_staff`` binds to a store)."""

    __tablename__ = "recycle_provider_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("recycle_provider.id"), nullable=False, index=True)
    user: Mapped[User] = relationship(User, foreign_keys=[user_id])
    provider: Mapped[RecycleProvider] = relationship(RecycleProvider)

    def __repr__(self) -> str:
        return f"{self.user.username if self.user else self.user_id} → {self.provider}"


class RecycleOrder(Audited, Model):
    """A trade-in order (回收订单): the device, the customer, the store and the review."""

    __tablename__ = "recycle_order"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members_member.id"), index=True)
    customer_phone: Mapped[str] = mapped_column(String(11), nullable=False, default="")
    customer_name: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    mode: Mapped[str] = mapped_column(String(20), nullable=False)
    # half/full package: the assigned provider; bidding: the winner once known
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("recycle_provider.id"), index=True)
    settlement_method: Mapped[str] = mapped_column(String(20), nullable=False, default="payment_code")
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    brand: Mapped[str] = mapped_column(String(50), nullable=False)
    model: Mapped[str] = mapped_column(String(100), nullable=False)
    capacity: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    colour: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    imei: Mapped[str | None] = mapped_column(String(15), index=True)
    serial_no: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    condition: Mapped[list | None] = mapped_column(JSON)  # checklist keys that apply
    remark: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=PENDING_REVIEW, index=True)
    quote_fen: Mapped[int | None] = mapped_column(BigInteger)  # the current price (quoted and after)
    quoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    quoted_at: Mapped[datetime | None] = mapped_column(DateTime)
    requote_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    store: Mapped[Store] = relationship(Store)
    guide: Mapped[Staff | None] = relationship(Staff, foreign_keys=[guide_id])
    member: Mapped[Member | None] = relationship(Member)
    provider: Mapped[RecycleProvider | None] = relationship(RecycleProvider)
    quoted_by: Mapped[User | None] = relationship(User, foreign_keys=[quoted_by_id])

    def __repr__(self) -> str:
        return self.order_no


class RecyclePhoto(Model):
    """A photo of the device, stored under the instance folder (``recycle_photos/``).

    Uploaded before the order exists (``order_id`` NULL until an order claims it)."""

    __tablename__ = "recycle_photo"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("recycle_order.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    file_name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(String(30), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)


class RecycleQuote(Model):
    """Quote history: every price a reviewer gave; a re-quote supersedes the current one."""

    __tablename__ = "recycle_quote"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("recycle_order.id"), nullable=False, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    quoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("recycle_provider.id"))
    remark: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)  # set by a re-quote
    quoted_by: Mapped[User | None] = relationship(User, foreign_keys=[quoted_by_id])
    provider: Mapped[RecycleProvider | None] = relationship(RecycleProvider)


class RecycleTransition(Model):
    """Every state change of an order: from, to, who, when."""

    __tablename__ = "recycle_transition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("recycle_order.id"), nullable=False, index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))  # None: created
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    user: Mapped[User | None] = relationship(User, foreign_keys=[user_id])


# --- bidding: bids (F3.12) and settlements (F3.11) ---

from sqlalchemy import UniqueConstraint  # noqa: E402

PAYMENT_CODE, PURCHASE_CREDIT = SETTLEMENT_METHODS
SETTLEMENT_STATUSES = ("pending", "paid", "used")  # payment code: pending → paid; credit: paid → used


class RecycleBidding(Model):
    """A bidding-mode order's bidding (one row per order): deadline, minimum, and the winner
    written once when it closes (``plugins.recycle.bidding``)."""

    __tablename__ = "recycle_bidding"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("recycle_order.id"), nullable=False, unique=True)
    deadline: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    min_bid_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    bid_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # bids queue on this row
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    opened_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    closed_on: Mapped[datetime | None] = mapped_column(DateTime)
    winning_bid_id: Mapped[int | None] = mapped_column(Integer)  # recycle_bid.id (no FK: a cycle)
    winning_provider_id: Mapped[int | None] = mapped_column(ForeignKey("recycle_provider.id"))
    winning_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    order: Mapped[RecycleOrder] = relationship(RecycleOrder)
    winning_provider: Mapped[RecycleProvider | None] = relationship(RecycleProvider)


class RecycleBid(Model):
    """One bid of a provider; ``sequence`` is its place in the order bids were accepted."""

    __tablename__ = "recycle_bid"
    __table_args__ = (UniqueConstraint("bidding_id", "sequence"), {"extend_existing": True})
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bidding_id: Mapped[int] = mapped_column(ForeignKey("recycle_bidding.id"), nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("recycle_order.id"), nullable=False, index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("recycle_provider.id"), nullable=False, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    provider: Mapped[RecycleProvider] = relationship(RecycleProvider)
    user: Mapped[User | None] = relationship(User, foreign_keys=[user_id])


class RecycleSettlement(Model):
    """How the customer of a quoted trade-in is paid (one per order, so never twice): a payment
    code (收款码) the customer scans before it expires, or a purchase credit (``credit_code``)
    the ``recycle_credit`` tender spends once on a new sale."""

    __tablename__ = "recycle_settlement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("recycle_order.id"), nullable=False, unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    token_id: Mapped[str | None] = mapped_column(String(32), unique=True)  # the payment code's token
    expires_on: Mapped[datetime | None] = mapped_column(DateTime)
    credit_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    used_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    used_order_no: Mapped[str | None] = mapped_column(String(32))
    used_on: Mapped[datetime | None] = mapped_column(DateTime)
    paid_on: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    order: Mapped[RecycleOrder] = relationship(RecycleOrder)
