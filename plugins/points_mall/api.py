"""Member mall endpoints of the points mall (member token from ``POST /api/v1/mall/login``)."""

from __future__ import annotations

from flask import g, request
from flask_appbuilder.api import expose
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.api import json_body, read_only
from app.extensions import db
from app.images import image_response
from app.loyalty.models import PointsTxn
from app.mall.api import MallApi, member_required
from app.mall.idempotency import member_idempotent
from app.openapi import InputSchema
from plugins.points_mall import services
from plugins.points_mall.items import IMAGE_AREA


class ExchangeIn(InputSchema):
    item_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    qty = fields.Integer(load_default=1, strict=True, metadata={"description": "1 to 99 (MALL_QTY_INVALID)"})
    cash_fen = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={"description": "the item's cash part × qty, in fen (0 or omitted when the item has none)"},
    )
    payment_method = fields.String(load_default="", validate=validate.OneOf(("",) + services.PAYMENT_METHODS))
    payment_ref = fields.String(load_default="", validate=validate.Length(max=64))
    fulfilment = fields.String(
        load_default="",
        validate=validate.OneOf(("", "delivery", "pickup")),
        metadata={"description": "physical goods only"},
    )
    receiver_name = fields.String(load_default="", validate=validate.Length(max=50))
    receiver_phone = fields.String(load_default="", validate=validate.Length(max=20))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    pickup_store = fields.String(
        load_default="",
        validate=validate.Length(max=16),
        metadata={"description": "store code (pick-up of HQ goods)"},
    )


class CancelIn(InputSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class MallCouponRefOut(Schema):
    rule_id = fields.Integer(required=True)
    name = fields.String(required=True)
    offer_type = fields.String(required=True)
    face_value_fen = fields.Integer(required=True, allow_none=True)


class MallItemOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "physical or virtual"})
    description = fields.String(required=True)
    image_url = fields.String(required=True)
    points_price = fields.Integer(required=True)
    cash_fen = fields.Integer(required=True)
    stock = fields.Integer(required=True)
    per_member_limit = fields.Integer(required=True, allow_none=True)
    per_member_daily_limit = fields.Integer(required=True, allow_none=True)
    valid_from = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    valid_to = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    fulfilments = fields.List(fields.String(), metadata={"description": "physical goods"})
    pickup_store = fields.String(allow_none=True, metadata={"description": "physical goods of a store"})
    coupon = fields.Nested(MallCouponRefOut, metadata={"description": "virtual goods"})


class MallOrderCouponOut(Schema):
    code = fields.String(required=True)
    valid_from = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    valid_to = fields.String(required=True, allow_none=True, metadata={"format": "date"})


class MallDeliveryOut(Schema):
    receiver_name = fields.String(required=True)
    receiver_phone = fields.String(required=True)
    address = fields.String(required=True)
    carrier = fields.String(required=True)
    tracking_no = fields.String(required=True)


class MallPickupOut(Schema):
    store = fields.String(required=True, allow_none=True)
    store_name = fields.String(required=True, allow_none=True)
    pickup_code = fields.String(
        required=True, metadata={"description": "shown at the store; empty once done"}
    )


class MallOrderOut(Schema):
    """A virtual order has only the coupon: no spec, address, delivery, store or freight fields."""

    order_no = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"description": "pending, shipped, ready, done, cancelled"}
    )
    item_id = fields.Integer(required=True)
    item_name = fields.String(required=True)
    qty = fields.Integer(required=True)
    points = fields.Integer(required=True)
    cash_fen = fields.Integer(required=True)
    created_on = fields.String(required=True, metadata={"format": "date-time"})
    coupon = fields.Nested(MallOrderCouponOut, metadata={"description": "virtual goods"})
    fulfilment = fields.String(metadata={"description": "physical goods: delivery or pickup"})
    spec = fields.String(metadata={"description": "physical goods"})
    delivery = fields.Nested(MallDeliveryOut)
    pickup = fields.Nested(MallPickupOut)


class MallPointsTxnOut(Schema):
    kind = fields.String(required=True, metadata={"description": "earn, redeem, reverse, adjust or reset"})
    points = fields.Integer(required=True)
    balance_after = fields.Integer(required=True)
    doc_no = fields.String(required=True)
    note = fields.String(required=True, metadata={"description": "e.g. the reason of a points reset"})
    created_on = fields.String(required=True, metadata={"format": "date-time"})


class MallPointsApi(MallApi):
    route_base = "/api/v1/mall/points-mall"
    resource_name = "mall-points-mall"
    openapi_spec_tag = "Points mall"

    @expose("/items", methods=["GET"])
    @member_required
    @read_only
    def items(self):
        """Items on the shelf the member may exchange (only their share group's stores' goods).
        ---
        get:
          responses:
            200:
              description: the items
              x-results: MallItemOut
        """
        result = [services.item_summary(i) for i in services.shelf_items(g.member)]
        return self.response(200, count=len(result), result=result)

    @expose("/images/<string:name>", methods=["GET"])
    @read_only
    def image(self, name: str):
        """An item picture uploaded in the admin (public, like the shelf's pictures in any shop).
        ---
        get:
          security: []
          responses:
            200:
              description: the image
              content:
                image/jpeg:
                  schema: {type: string, format: binary}
                image/png:
                  schema: {type: string, format: binary}
          x-error-codes: [NOT_FOUND]
        """
        return image_response(IMAGE_AREA, name, private=False)

    @expose("/items/<int:item_id>", methods=["GET"])
    @member_required
    @read_only
    def item(self, item_id: int):
        """One item.
        ---
        get:
          responses:
            200:
              description: the item
              x-result: MallItemOut
          x-error-codes: [MALL_ITEM_NOT_FOUND]
        """
        item = services.visible_item(g.member, item_id)
        if not item.on_shelf:
            raise services.item_not_found()
        return self.response(200, result=services.item_summary(item))

    @expose("/orders", methods=["POST"])
    @member_required
    @member_idempotent
    def exchange(self):
        """Exchange an item for points: points, stock and limits move together or not at all.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: ExchangeIn
          responses:
            201:
              description: the exchange order
              x-result: MallOrderOut
          x-error-codes: [MALL_ITEM_NOT_FOUND, MALL_ITEM_OFF_SHELF, MALL_ITEM_NOT_STARTED, MALL_ITEM_EXPIRED,
            MALL_OUT_OF_STOCK, MALL_LIMIT_REACHED, MALL_DAILY_LIMIT_REACHED, MALL_CASH_MISMATCH,
            MALL_PAYMENT_METHOD_INVALID, MALL_PAYMENT_REF_REQUIRED, MALL_QTY_INVALID, MALL_FULFILMENT_INVALID,
            MALL_FULFILMENT_NOT_OFFERED, MALL_ADDRESS_REQUIRED, MALL_PICKUP_STORE_REQUIRED,
            MALL_STORE_NOT_ALLOWED, INSUFFICIENT_POINTS, INSUFFICIENT_BALANCE, INSUFFICIENT_STOCK,
            COUPON_RULE_DISABLED, COUPON_RULE_NOT_AUDITED, COUPON_RULE_EXPIRED, COUPON_SOLD_OUT,
            COUPON_LIMIT_REACHED]
        """
        data = json_body(ExchangeIn())
        order = services.exchange(
            g.member,
            data["item_id"],
            data["qty"],
            cash_fen=data["cash_fen"],
            payment_method=data["payment_method"],
            payment_ref=data["payment_ref"],
            fulfilment=data["fulfilment"],
            delivery={k: data[k] for k in ("receiver_name", "receiver_phone", "address", "pickup_store")},
        )
        return self.response(201, result=services.order_summary(order))

    @expose("/orders", methods=["GET"])
    @member_required
    @read_only
    def orders(self):
        """The member's exchange orders, newest first (at most 100).
        ---
        get:
          responses:
            200:
              description: the orders
              x-results: MallOrderOut
        """
        result = [services.order_summary(o) for o in services.member_orders(g.member.id)]
        return self.response(200, count=len(result), result=result)

    @expose("/orders/<string:order_no>", methods=["GET"])
    @member_required
    @read_only
    def order(self, order_no: str):
        """One of the member's exchange orders.
        ---
        get:
          responses:
            200:
              description: the order
              x-result: MallOrderOut
          x-error-codes: [MALL_ORDER_NOT_FOUND]
        """
        return self.response(200, result=services.order_summary(services.member_order(g.member.id, order_no)))

    @expose("/orders/<string:order_no>/cancel", methods=["POST"])
    @member_required
    @member_idempotent
    def cancel(self, order_no: str):
        """Cancel one's own physical order before it ships or is handed over (points refunded).
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: CancelIn
          responses:
            200:
              description: the cancelled order
              x-result: MallOrderOut
          x-error-codes: [MALL_ORDER_NOT_FOUND, MALL_ORDER_STATUS_INVALID]
        """
        data = json_body(CancelIn())
        order = services.member_order(g.member.id, order_no)
        order = services.cancel_order(order.id, data["reason"], member_id=g.member.id)
        return self.response(200, result=services.order_summary(order))

    @expose("/points", methods=["GET"])
    @member_required
    @read_only
    def points(self):
        """The member's points history, newest first (at most ``limit``, default 50, up to 200).
        ---
        get:
          parameters:
          - in: query
            name: limit
            schema: {type: integer, minimum: 1, maximum: 200}
          responses:
            200:
              description: the points ledger rows
              x-results: MallPointsTxnOut
        """
        raw = request.args.get("limit", "50")
        limit = int(raw) if raw.isdigit() and 1 <= int(raw) <= 200 else 50
        rows = db.session.scalars(
            select(PointsTxn)
            .where(PointsTxn.member_id == g.member.id)
            .order_by(PointsTxn.created_on.desc(), PointsTxn.id.desc())
            .limit(limit)
        ).all()
        result = [
            {
                "kind": t.kind,
                "points": t.points,
                "balance_after": t.balance_after,
                "doc_no": t.doc_no,
                "note": t.note,
                "created_on": t.created_on.isoformat(timespec="seconds"),
            }
            for t in rows
        ]
        return self.response(200, count=len(result), result=result)
