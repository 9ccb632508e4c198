"""The store's side of mall pick-ups (``pos/points-mall/...``): the POS lists the exchange orders
waiting at its store, marks the goods ready and hands them over against the member's pick-up
code.  Only pick-ups at the caller's own store exist here (any other order answers 404) and the
answers never carry the pick-up code: the member shows it."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from marshmallow import Schema, fields, validate

from app.actor import acting_user
from app.api import RetailApi, idempotent, json_body, protect, read_only
from app.openapi import InputSchema
from app.security import caller_store_id
from plugins.points_mall import services
from plugins.points_mall.api import MallDeliveryOut, MallOrderOut

WAITING = {"pending": ("pending",), "ready": ("ready",), "open": ("pending", "ready")}


class HandoverIn(InputSchema):
    pickup_code = fields.String(required=True, validate=validate.Length(min=1, max=10),
                                metadata={"description": "the code the member shows"})


class PosPickupOut(Schema):
    store = fields.String(required=True, allow_none=True)
    store_name = fields.String(required=True, allow_none=True)


class PosPickupOrderOut(MallOrderOut):
    """An exchange order picked up at the caller's store (no pick-up code in it)."""

    member = fields.String(required=True, metadata={"description": "member number and name (masked "
                                                                    "where privacy says so)"})
    delivery = fields.Nested(MallDeliveryOut)
    pickup = fields.Nested(PosPickupOut)


class PosPointsMallApi(RetailApi):
    route_base = "/api/v1/pos/points-mall"
    resource_name = "pos-points-mall"
    class_permission_name = "PosPointsMall"
    openapi_spec_tag = "POS points-mall pick-ups"
    method_permission_name = {"pickups": "read", "pickup": "read", "ready": "write", "handover": "write"}

    @expose("/pickups", methods=["GET"])
    @protect()
    @read_only
    def pickups(self):
        """The pick-ups waiting at the caller's store, oldest first (at most 100).
        ---
        get:
          parameters:
            - in: query
              name: status
              schema: {type: string, enum: [open, pending, ready], default: open}
          responses:
            200:
              description: the orders
              x-results: PosPickupOrderOut
          x-error-codes: [STORE_REQUIRED]
        """
        store_id = caller_store_id()
        statuses = WAITING.get(request.args.get("status") or "open", WAITING["open"])
        viewer = acting_user()
        result = [services.pickup_summary(o, viewer) for o in services.store_pickups(store_id, statuses)]
        return self.response(200, count=len(result), result=result)

    @expose("/pickups/<string:order_no>", methods=["GET"])
    @protect()
    @read_only
    def pickup(self, order_no: str):
        """One pick-up at the caller's store, by its exchange order number.
        ---
        get:
          responses:
            200:
              description: the order
              x-result: PosPickupOrderOut
          x-error-codes: [STORE_REQUIRED, MALL_ORDER_NOT_FOUND]
        """
        order = services.store_pickup(caller_store_id(), order_no)
        return self.response(200, result=services.pickup_summary(order, acting_user()))

    @expose("/pickups/<string:order_no>/ready", methods=["POST"])
    @protect()
    @idempotent
    def ready(self, order_no: str):
        """The goods wait at the store: pending → ready.
        ---
        post:
          responses:
            200:
              description: the order, ready
              x-result: PosPickupOrderOut
          x-error-codes: [STORE_REQUIRED, MALL_ORDER_NOT_FOUND, MALL_ORDER_STATUS_INVALID]
        """
        store_id, user = caller_store_id(), acting_user()
        order = services.store_pickup(store_id, order_no)
        order = services.mark_ready(order.id, store_id, getattr(user, "id", None))
        return self.response(200, result=services.pickup_summary(order, user))

    @expose("/pickups/<string:order_no>/handover", methods=["POST"])
    @protect()
    @idempotent
    def handover(self, order_no: str):
        """Hand the goods over against the member's pick-up code: ready → done (send an
        Idempotency-Key so a retry after a lost answer replays it).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: HandoverIn
          responses:
            200:
              description: the order, done
              x-result: PosPickupOrderOut
          x-error-codes: [STORE_REQUIRED, MALL_ORDER_NOT_FOUND, MALL_ORDER_STATUS_INVALID,
            MALL_PICKUP_CODE_INVALID]
        """
        data = json_body(HandoverIn())
        store_id, user = caller_store_id(), acting_user()
        order = services.store_pickup(store_id, order_no)
        order = services.complete_order(order.id, store_id, getattr(user, "id", None), data["pickup_code"])
        return self.response(200, result=services.pickup_summary(order, user))
