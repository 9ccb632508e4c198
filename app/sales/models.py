"""Retail sales (零售开单) with lines and payments, and returns (零售退单) with refunds."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Sku
from app.members.models import Member
from app.org.models import Store
from app.platform.audit import Audited
from app.platform.staff import Staff

ORDER_STATUSES = ("paid", "partially_returned", "returned")


class Order(Audited, Model):
    __tablename__ = "sales_order"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members_member.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="paid")
    total_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)  # before discounts
    discount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    points_used: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    points_earned: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    store: Mapped[Store] = relationship(Store)
    member: Mapped[Member | None] = relationship(Member)
    staff: Mapped[Staff | None] = relationship(Staff)
    lines: Mapped[list[OrderLine]] = relationship("OrderLine", back_populates="order")
    payments: Mapped[list[Payment]] = relationship("Payment", back_populates="order")

    def __str__(self) -> str:  # how a related order shows in admin lists (returns)
        return self.order_no


class OrderLine(Model):
    __tablename__ = "sales_order_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), nullable=False, index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("catalog_sku.id"), nullable=False, index=True)
    qty: Mapped[int] = mapped_column(Integer, nullable=False)
    price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    discount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)  # line + share of order
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)  # qty*price - discount
    returned_qty: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # the SKU's list price when sold (price_fen is the sold unit price); empty on older rows
    list_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    # who approved selling below the price-override limit (the cashier holding the grant, or
    # the store manager who approved on the till); empty within the limit
    approved_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    order: Mapped[Order] = relationship(Order, back_populates="lines")
    sku: Mapped[Sku] = relationship(Sku)


class Payment(Model):
    __tablename__ = "sales_payment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), nullable=False, index=True)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    refunded_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    reference: Mapped[str] = mapped_column(String(64), nullable=False, default="")  # code, txn no…
    order: Mapped[Order] = relationship(Order, back_populates="payments")


class Return(Audited, Model):
    __tablename__ = "sales_return"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_no: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), nullable=False, index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    points_reversed: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    order: Mapped[Order] = relationship(Order)
    store: Mapped[Store] = relationship(Store)
    lines: Mapped[list[ReturnLine]] = relationship("ReturnLine", back_populates="return_doc")
    refunds: Mapped[list[Refund]] = relationship("Refund", back_populates="return_doc")


class ReturnLine(Model):
    __tablename__ = "sales_return_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("sales_return.id"), nullable=False, index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("sales_order_line.id"), nullable=False)
    qty: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    return_doc: Mapped[Return] = relationship(Return, back_populates="lines")
    order_line: Mapped[OrderLine] = relationship(OrderLine)


class Refund(Model):
    __tablename__ = "sales_refund"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("sales_return.id"), nullable=False, index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("sales_payment.id"), nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    return_doc: Mapped[Return] = relationship(Return, back_populates="refunds")
    payment: Mapped[Payment] = relationship(Payment)

