"""POS order endpoints: ``POST pos/orders``, ``GET pos/orders/<no>``, ``POST pos/orders/<no>/returns``."""

from __future__ import annotations

from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from app.actor import acting_user
from app.api import RetailApi, idempotent, json_body, protect, read_only
from app.catalog.models import Sku
from app.errors import DomainError
from app.extensions import db
from app.members.services import pos_member, present_member
from app.plugins import plugin_host
from app.sales.models import Order, OrderLine
from app.sales.schemas import OrderIn, ReturnIn
from app.sales.services import SaleLine, SaleRequest, SaleTender, create_return, create_sale
from app.security import caller_store_id, can_see_store, current_staff

ORDER_IN, RETURN_IN = OrderIn(), ReturnIn()  # schemas are stateless: build them once
SELLING = "STORE_ACCOUNT_REQUIRED"  # HQ accounts cannot sell


def order_json(order: Order, viewer) -> dict:
    """The order as the POS shows it; the member goes through ``present_member`` (plugins mask it),
    then the fields enabled packages add (``retail_order_fields``)."""
    shown = {
        "order_no": order.order_no,
        "status": order.status,
        "store": order.store.code,
        "member_id": order.member_id,
        "member": present_member(order.member, viewer, "api") if order.member is not None else None,
        "total_fen": order.total_fen,
        "discount_fen": order.discount_fen,
        "paid_fen": order.paid_fen,
        "points_used": order.points_used,
        "points_earned": order.points_earned,
        "note": order.note,
        "created_on": order.created_on.isoformat(timespec="seconds"),
        "lines": [
            {
                "line_id": line.id,
                "sku_code": line.sku.sku_code,
                "name": f"{line.sku.product.name} {line.sku.spec}".strip(),
                "qty": line.qty,
                "list_price_fen": line.list_price_fen,
                "price_fen": line.price_fen,
                "discount_fen": line.discount_fen,
                "approved_by_fk": line.approved_by_fk,
                "amount_fen": line.amount_fen,
                "returned_qty": line.returned_qty,
            }
            for line in order.lines
        ],
        "payments": [
            {"method": p.method, "amount_fen": p.amount_fen, "refunded_fen": p.refunded_fen,
             "reference": p.reference}
            for p in order.payments
        ],
    }
    shown.update(plugin_host().order_fields(order, viewer, taken=shown))
    return shown


def _visible_order(order_no: str) -> Order:
    """The order with everything ``order_json`` shows, in four queries (no per-line loads)."""
    order = (
        db.session.query(Order)
        .options(
            joinedload(Order.store),
            joinedload(Order.member),
            selectinload(Order.lines).joinedload(OrderLine.sku).joinedload(Sku.product),
            selectinload(Order.payments),
        )
        .filter_by(order_no=order_no[:32])
        .one_or_none()
    )
    if order is None or not can_see_store(order.store_id):
        raise DomainError("ORDER_NOT_FOUND", _l("Order not found."))
    return order


class PosOrdersApi(RetailApi):
    route_base = "/api/v1/pos/orders"
    resource_name = "pos_orders"
    class_permission_name = "PosOrders"
    openapi_spec_tag = "POS orders"
    method_permission_name = {"create": "write", "detail": "read", "create_return": "write"}

    @expose("", methods=["POST"])
    @protect()
    @idempotent
    def create(self):
        """Book a paid retail sale.
        ---
        post:
          description: >-
            Lines, discounts and mixed payments in one transaction. Plugin tenders add their
            own codes (coupon, meituan). A line below its list price beyond the configured limit
            needs a store manager's ``approval`` (PRICE_OVERRIDE_NOT_ALLOWED, PRICE_APPROVAL_INVALID).
          requestBody:
            required: true
            content:
              application/json:
                schema: OrderIn
          responses:
            201:
              description: the order
              x-result: OrderOut
              links:
                detail:
                  operationId: PosOrdersApi_detail
                  parameters: {order_no: $response.body#/result/order_no}
                return:
                  operationId: PosOrdersApi_create_return
                  parameters: {order_no: $response.body#/result/order_no}
          x-error-codes: [STORE_ACCOUNT_REQUIRED, ORDER_LINES_INVALID, UNKNOWN_SKU, UNKNOWN_PAYMENT_METHOD,
            PAYMENT_METHOD_DISABLED, PAYMENT_MISMATCH, PRICE_ABOVE_LIST, DISCOUNT_TOO_LARGE,
            INSUFFICIENT_STOCK, INSUFFICIENT_BALANCE, INSUFFICIENT_POINTS, POINTS_NOT_USABLE,
            POINTS_OVER_CAP, MEMBER_REQUIRED, MEMBER_NOT_FOUND, MEMBER_FROZEN, MEMBER_REFUSALS, SALE_REFUSALS,
            TENDERS]
        """
        data = json_body(ORDER_IN)
        store_id = caller_store_id(SELLING)
        if data.get("member_id") is not None:  # plugins may refuse the member here (share groups)
            pos_member(acting_user(), data["member_id"], store_id, "member", "MEMBER_NOT_FOUND")
        staff = current_staff()
        sold = create_sale(
            SaleRequest(
                store_id=store_id,
                staff_id=staff.id if staff else None,
                member_id=data.get("member_id"),
                lines=[SaleLine(**line) for line in data["lines"]],
                payments=[SaleTender(**p) for p in data["payments"]],
                discount_fen=data["discount_fen"],
                points_used=data["points_used"],
                note=data["note"],
                user=acting_user(),
                approval=data.get("approval"),
            )
        )
        return self.response(201, result=order_json(sold, acting_user()))  # just booked here

    @expose("/<order_no>", methods=["GET"])
    @protect()
    @read_only
    def detail(self, order_no):
        """An order with its lines and payments (caller's store only).
        ---
        get:
          responses:
            200:
              description: the order
              x-result: OrderOut
          x-error-codes: [ORDER_NOT_FOUND]
        """
        return self.response(200, result=order_json(_visible_order(order_no), acting_user()))

    @expose("/<order_no>/returns", methods=["POST"])
    @protect()
    @idempotent
    def create_return(self, order_no):
        """Return lines of an order (omit lines for the whole order), refunding each tender.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: ReturnIn
          responses:
            201:
              description: the return
              x-result: ReturnOut
          x-error-codes: [STORE_ACCOUNT_REQUIRED, ORDER_NOT_FOUND, ORDER_ALREADY_RETURNED,
            ORDER_LINE_NOT_FOUND, RETURN_QTY_INVALID, RETURN_EXCEEDS_SOLD, INSUFFICIENT_POINTS,
            PAYMENT_METHOD_DISABLED, TENDERS]
        """
        data = json_body(RETURN_IN)
        caller_store_id(SELLING)
        order = _visible_order(order_no)
        lines = [(line["line_id"], line["qty"]) for line in data["lines"]] if data.get("lines") else None
        staff = current_staff()
        doc = create_return(order, lines, staff.id if staff else None)
        return self.response(
            201,
            result={
                "return_no": doc.return_no,
                "order_no": order.order_no,
                "amount_fen": doc.amount_fen,
                "points_reversed": doc.points_reversed,
                "refunds": [{"method": r.method, "amount_fen": r.amount_fen} for r in doc.refunds],
            },
        )
