"""Meituan voucher tables: shop bindings, deal mappings, verifications, platform calls, reconciliations."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Sku
from app.org.models import Store
from app.platform.audit import Audited
from app.platform.staff import Staff

DEAL_MODES = ("tender", "product")
# pending: a consume whose outcome Meituan did not confirm (settled by reconciliation or a retry);
# void: a pending one that turned out not verified by us
VERIFICATION_STATUSES = ("consumed", "reversed", "pending", "void")
RECON_STATUSES = ("ok", "mismatch", "failed")


class ShopBinding(Audited, Model):
    """Store ↔ Meituan shop (门店管理-外卖对接)."""

    __tablename__ = "meituan_voucher_shop"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, unique=True)
    open_shop_uuid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    shop_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    store: Mapped[Store] = relationship(Store)

    def __repr__(self) -> str:
        return self.open_shop_uuid


class DealMapping(Audited, Model):
    """How a Meituan deal pays: a tender amount, or products of ours the voucher stands for."""

    __tablename__ = "meituan_voucher_deal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deal_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    mode: Mapped[str] = mapped_column(String(16), nullable=False, default="tender")
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # tender value per voucher; None = deal price
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_sku.id"))
    qty: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sku: Mapped[Sku | None] = relationship(Sku)

    def __repr__(self) -> str:
        return f"{self.deal_id} {self.title}".strip()


class Verification(Audited, Model):
    """One verified voucher code (a consume of N codes writes N rows sharing ``request_id``)."""

    __tablename__ = "meituan_voucher_verification"
    __table_args__ = (UniqueConstraint("request_id", "receipt_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verification_no: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"))
    receipt_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    # equals receipt_code while consumed, NULL once reversed: one live verification per code
    live_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    request_id: Mapped[str] = mapped_column(String(64), nullable=False)
    platform_order_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    deal_id: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    deal_title: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="consumed")
    order_no: Mapped[str | None] = mapped_column(String(32), index=True)
    applied_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)  # paid on the order
    business_date: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    consumed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime)
    store: Mapped[Store] = relationship(Store)
    staff: Mapped[Staff | None] = relationship(Staff)


class PlatformCall(Model):
    """Every request to the platform with its answer (secrets redacted)."""

    __tablename__ = "meituan_voucher_call"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now, index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"))
    op: Mapped[str] = mapped_column(String(20), nullable=False)
    receipt_code: Mapped[str] = mapped_column(String(32), nullable=False, default="", index=True)
    order_no: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    error_code: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    http_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    request: Mapped[dict | None] = mapped_column(JSON)
    response: Mapped[dict | list | None] = mapped_column(JSON)
    store: Mapped[Store | None] = relationship(Store)
    staff: Mapped[Staff | None] = relationship(Staff)


class Reconciliation(Model):
    """Our verifications of a store and day compared with the platform's list."""

    __tablename__ = "meituan_voucher_recon"
    __table_args__ = (UniqueConstraint("store_id", "business_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    business_date: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    ours: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    platform: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    mismatches: Mapped[list | None] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    checked_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    store: Mapped[Store] = relationship(Store)
