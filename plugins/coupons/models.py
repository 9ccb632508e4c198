"""Coupon rules (券注册发行), coupons, their history, redemptions and finance documents."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Category, Product
from app.members.models import Member
from app.org.models import Store
from app.platform.audit import Audited

MEDIA = ("electronic", "physical")
KINDS = ("normal", "marketing", "points")
OFFER_TYPES = ("cash", "discount", "product", "recharge")
VALIDITY_TYPES = ("days", "until")

rule_store_link = Table(
    "coupons_rule_store",
    Model.metadata,
    Column("rule_id", ForeignKey("coupons_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("org_store.id", ondelete="CASCADE"), primary_key=True),
)

rule_excluded_category_link = Table(
    "coupons_rule_excluded_category",
    Model.metadata,
    Column("rule_id", ForeignKey("coupons_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("catalog_category.id", ondelete="CASCADE"), primary_key=True),
)


class CouponRule(Audited, Model):
    """A coupon registration & issuance rule; every field of seed 002."""

    __tablename__ = "coupons_rule"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 券信息
    org_store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)  # None = HQ
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    medium: Mapped[str] = mapped_column(String(16), nullable=False, default="electronic")
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="normal")
    latest_claim_date: Mapped[date | None] = mapped_column(Date)
    sale_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    reference_type: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    # 券说明
    offer_type: Mapped[str] = mapped_column(String(16), nullable=False, default="cash")
    face_value_fen: Mapped[int | None] = mapped_column(BigInteger)
    discount_rate: Mapped[int | None] = mapped_column(Integer)  # percent paid, 1..99 (80 = 8折)
    exchange_product_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_product.id"))
    effective_date: Mapped[date] = mapped_column(Date, nullable=False, default=date.today)
    min_order_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    per_member_limit: Mapped[int | None] = mapped_column(Integer)
    validity_type: Mapped[str] = mapped_column(String(8), nullable=False, default="days")
    valid_until: Mapped[date | None] = mapped_column(Date)
    valid_days: Mapped[int | None] = mapped_column(Integer)
    transferable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # 券编码规则
    code_prefix: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    code_suffix: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    code_length: Mapped[int] = mapped_column(Integer, nullable=False, default=8)
    total_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    start_value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    end_value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    issued_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    generated_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    recharge_code_length: Mapped[int | None] = mapped_column(Integer)
    # 其他
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="draft", index=True)
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    audited_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    audited_on: Mapped[datetime | None] = mapped_column(DateTime)
    disabled_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    disabled_on: Mapped[datetime | None] = mapped_column(DateTime)

    org_store: Mapped[Store | None] = relationship(Store, foreign_keys=[org_store_id])
    usable_stores: Mapped[list[Store]] = relationship(Store, secondary=rule_store_link)
    excluded_categories: Mapped[list[Category]] = relationship(
        Category, secondary=rule_excluded_category_link
    )
    exchange_product: Mapped[Product | None] = relationship(Product)
    created_by: Mapped[User | None] = relationship(User, foreign_keys="CouponRule.created_by_fk")
    changed_by: Mapped[User | None] = relationship(User, foreign_keys="CouponRule.changed_by_fk")
    audited_by: Mapped[User | None] = relationship(User, foreign_keys=[audited_by_fk])
    disabled_by: Mapped[User | None] = relationship(User, foreign_keys=[disabled_by_fk])

    def __repr__(self) -> str:
        return self.name


class CouponBatch(Model):
    """One generation run of a physical rule (券生成批次)."""

    __tablename__ = "coupons_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    rule_id: Mapped[int] = mapped_column(ForeignKey("coupons_rule.id"), nullable=False, index=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="queued")
    job_id: Mapped[int | None] = mapped_column(Integer)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    created_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    rule: Mapped[CouponRule] = relationship(CouponRule)


class Coupon(Model):
    """One coupon. Lifecycle: generated → collected → issued → redeemed, or void."""

    __tablename__ = "coupons_coupon"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("coupons_rule.id"), nullable=False, index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("coupons_batch.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="generated", index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)  # collected to
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members_member.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    app_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    price_fen: Mapped[int | None] = mapped_column(BigInteger)
    payment_method: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    issued_on: Mapped[datetime | None] = mapped_column(DateTime)
    redeemed_on: Mapped[datetime | None] = mapped_column(DateTime)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)

    rule: Mapped[CouponRule] = relationship(CouponRule)
    batch: Mapped[CouponBatch | None] = relationship(CouponBatch)
    store: Mapped[Store | None] = relationship(Store)
    member: Mapped[Member | None] = relationship(Member)
    history: Mapped[list[CouponHistory]] = relationship(
        "CouponHistory", order_by="CouponHistory.id", back_populates="coupon"
    )

    def __repr__(self) -> str:
        return self.code


class CouponHistory(Model):
    """Every lifecycle change of a coupon (who, when, where, which document)."""

    __tablename__ = "coupons_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons_coupon.id"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    from_status: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    to_status: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members_member.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    doc_no: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)

    coupon: Mapped[Coupon] = relationship(Coupon, back_populates="history")
    store: Mapped[Store | None] = relationship(Store)
    member: Mapped[Member | None] = relationship(Member)
    user: Mapped[User | None] = relationship(User)


class Redemption(Model):
    """A redemption (核销) of a coupon; reversed by an order return."""

    __tablename__ = "coupons_redemption"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    redemption_no: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons_coupon.id"), nullable=False, index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members_member.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    order_no: Mapped[str] = mapped_column(String(40), nullable=False, default="", index=True)
    order_total_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    discount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    stored_value_txn_no: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    reversed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    reversed_on: Mapped[datetime | None] = mapped_column(DateTime)
    reverse_doc_no: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)

    coupon: Mapped[Coupon] = relationship(Coupon)
    store: Mapped[Store] = relationship(Store)


class MemberClaimCount(Model):
    """Coupons of a rule a member got by claim/purchase: the per-member limit's guard row."""

    __tablename__ = "coupons_member_count"
    __table_args__ = (UniqueConstraint("rule_id", "member_id"), {"extend_existing": True})
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("coupons_rule.id"), nullable=False)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class FinanceDoc(Model):
    """Finance documents pushed by a coupon purchase: other receivable (其他应收单) and receipt (收款单)."""

    __tablename__ = "coupons_finance_doc"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_no: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    doc_type: Mapped[str] = mapped_column(String(20), nullable=False)  # other_receivable / receipt
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons_coupon.id"), nullable=False, index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members_member.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    payment_method: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    payment_ref: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    coupon: Mapped[Coupon] = relationship(Coupon)
    member: Mapped[Member | None] = relationship(Member)


class GiftToken(Model):
    """A one-time gift binding token (F0.5): signed + expiring; this row makes it single-use."""

    __tablename__ = "coupons_gift_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jti: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons_coupon.id"), nullable=False, index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    expires_on: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_on: Mapped[datetime | None] = mapped_column(DateTime)
    used_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members_member.id"))
    coupon: Mapped[Coupon] = relationship(Coupon)
