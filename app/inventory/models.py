"""Stock per store × SKU with a move ledger, and stock documents with lines."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Sku
from app.org.models import Store
from app.platform.audit import Audited

MOVE_KINDS = (
    "sale", "return", "purchase_in", "distribution_in", "transfer_in", "other_in",
    "distribution_out", "transfer_out", "purchase_return", "other_out", "stocktake",
)
DOC_KINDS = ("inbound", "outbound", "transfer", "stocktake")
DOC_STATUSES = ("draft", "posted", "received", "cancelled")


class Stock(Model):
    """On-hand quantity; equals the sum of this store × SKU's moves."""

    __tablename__ = "inventory_stock"
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("catalog_sku.id"), primary_key=True, index=True)
    qty: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    store: Mapped[Store] = relationship(Store)
    sku: Mapped[Sku] = relationship(Sku)


class StockMove(Model):
    __tablename__ = "inventory_move"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("catalog_sku.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    qty: Mapped[int] = mapped_column(BigInteger, nullable=False)  # signed
    qty_after: Mapped[int] = mapped_column(BigInteger, nullable=False)
    doc_no: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    created_on: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, nullable=False)
    store: Mapped[Store] = relationship(Store)
    sku: Mapped[Sku] = relationship(Sku)


class StockDoc(Audited, Model):
    """Inbound / outbound / transfer / stocktake document."""

    __tablename__ = "inventory_doc"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_no: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    reason: Mapped[str] = mapped_column(String(20), nullable=False)  # purchase, distribution, …
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    other_store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"))
    source_doc_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_doc.id"))
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="draft")
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    store: Mapped[Store] = relationship(Store, foreign_keys=[store_id])
    other_store: Mapped[Store | None] = relationship(Store, foreign_keys=[other_store_id])
    lines: Mapped[list[StockDocLine]] = relationship("StockDocLine", back_populates="doc")


class StockDocLine(Model):
    __tablename__ = "inventory_doc_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("inventory_doc.id"), nullable=False, index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("catalog_sku.id"), nullable=False)
    qty: Mapped[int] = mapped_column(BigInteger, nullable=False)  # stocktake: counted qty
    doc: Mapped[StockDoc] = relationship(StockDoc, back_populates="lines")
    sku: Mapped[Sku] = relationship(Sku)
