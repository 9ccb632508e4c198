"""API of bidding (F3.12), settlement (F3.11) and the customer's payment code.

- ``/api/v1/recycle/bidding/<order id>``: a bidding-mode trade-in's bidding (HQ opens it,
  providers bid); a provider sees only its own bids, and only on orders it may see.
- ``/api/v1/pos/recycle/orders/<order id>/settlement``: the store pays the customer (payment
  code or purchase credit, by the order's settlement method) and completes the trade-in.
- ``/api/v1/recycle/payment-codes/<token>``: what the customer's phone opens from the payment
  code's QR (public: the signed, expiring, one-time token is the key).
"""

from __future__ import annotations

import base64

from flask import Response, url_for
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.actor import acting_user
from app.api import RetailApi, idempotent, json_body, protect, read_only
from app.errors import DomainError
from app.openapi import InputSchema
from app.qr import qr_png
from app.security import is_hq
from plugins.recycle import bidding, settlement
from plugins.recycle.bidding import MAX_BID_FEN, MAX_MINUTES
from plugins.recycle.services import provider_id_of, visible_order

# ---------------------------------------------------------------- schemas


class BidIn(InputSchema):
    amount_fen = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_BID_FEN))


class OpenBiddingIn(InputSchema):
    minutes = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=1, max=MAX_MINUTES))
    min_bid_fen = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=1, max=MAX_BID_FEN))


class RecycleEmptyIn(InputSchema):
    """No fields: the body may be empty or ``{}``."""


class RecycleBidOut(Schema):
    id = fields.Integer(required=True)
    provider_id = fields.Integer(required=True)
    provider = fields.String(required=True)
    amount_fen = fields.Integer(required=True)
    sequence = fields.Integer(required=True, metadata={"description": "the order bids were accepted in"})
    created_on = fields.String(required=True, metadata={"format": "date-time"})


class RecycleBiddingOut(Schema):
    order_id = fields.Integer(required=True)
    deadline = fields.String(required=True, metadata={"format": "date-time"})
    min_bid_fen = fields.Integer(required=True)
    open = fields.Boolean(required=True)
    closed_on = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    bid_count = fields.Integer(required=True)
    winning_provider_id = fields.Integer(required=True, allow_none=True)
    winning_amount_fen = fields.Integer(required=True, allow_none=True)
    result = fields.String(metadata={"description": "a provider's own result, when the merchant shows "
                                                    "bidding results: success, fail or empty (open)"})
    bids = fields.List(fields.Nested(RecycleBidOut), required=True,
                       metadata={"description": "every bid (HQ), or the caller's own (a provider)"})


class RecycleSettlementOut(Schema):
    order_id = fields.Integer(required=True)
    order_state = fields.String(required=True)
    method = fields.String(required=True, metadata={"description": "payment_code or purchase_credit"})
    status = fields.String(required=True, metadata={"description": "pending, paid or used"})
    amount_fen = fields.Integer(required=True)
    expires_on = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    paid_on = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    used_fen = fields.Integer(required=True)
    used_order_no = fields.String(required=True, allow_none=True)
    credit_code = fields.String(required=True, allow_none=True)
    payment_code = fields.String(required=True, allow_none=True)
    payment_url = fields.String(metadata={"description": "what the QR code holds (a pending payment code)"})
    qr_png_base64 = fields.String(metadata={"description": "the QR code of payment_url as a PNG"})


class RecycleCompletedOut(Schema):
    order_id = fields.Integer(required=True)
    state = fields.String(required=True)


class RecyclePaymentCodeOut(Schema):
    order_no = fields.String(required=True)
    amount_fen = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "pending or paid"})
    expires_on = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    paid_on = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


# ---------------------------------------------------------------- helpers



def _bid_out(bid) -> dict:
    return {"id": bid.id, "provider_id": bid.provider_id, "provider": bid.provider.name,
            "amount_fen": bid.amount_fen, "sequence": bid.sequence,
            "created_on": bid.created_on.isoformat(timespec="seconds")}


def bidding_out(order, viewer) -> dict:
    """The order's bidding as ``viewer`` may see it (``RECYCLE_BIDDING_NOT_OPEN``: none)."""
    from app.platform.settings import get_setting

    row = bidding.bidding_of(order.id)
    if row is None:
        raise DomainError("RECYCLE_BIDDING_NOT_OPEN", _l("The trade-in is not open for bids."))
    provider_id = provider_id_of(viewer)
    data = {"order_id": order.id, **bidding.bidding_summary(row)}
    if provider_id is None:
        data["bids"] = [_bid_out(b) for b in bidding.bids_of(order.id)]
        return data
    data["bids"] = [_bid_out(b) for b in bidding.bids_of(order.id, provider_id)]
    if data["winning_provider_id"] != provider_id:  # the winner learns it won (it reviews); others not
        data["winning_provider_id"] = data["winning_amount_fen"] = None
    if get_setting("recycle.bid_results_visible"):
        data["result"] = bidding.bid_results(provider_id, [order.id])[order.id]
    return data


def settlement_out(order) -> dict:
    row = settlement.settlement_of(order.id)
    if row is None:
        raise DomainError("RECYCLE_NOT_SETTLED", _l("The trade-in has not been settled yet."))
    data = {"order_id": order.id, "order_state": order.state,
            **settlement.settlement_summary(row, with_token=True)}
    if data["payment_code"]:
        url = url_for("RecyclePaymentCodeApi.show", token=data["payment_code"], _external=True)
        data["payment_url"] = url
        data["qr_png_base64"] = base64.b64encode(qr_png(url)).decode("ascii")
    return data


def _visible(order_id: int):
    return visible_order(acting_user(), order_id)


# ---------------------------------------------------------------- bidding


class RecycleBidsApi(RetailApi):
    route_base = "/api/v1/recycle/bidding"
    resource_name = "recycle-bidding"
    class_permission_name = "RecycleBids"
    openapi_spec_tag = "Trade-in bidding"
    method_permission_name = {"show": "read", "open": "write", "bid": "write"}

    @expose("/<int:order_id>", methods=["GET"])
    @protect()
    def show(self, order_id: int):
        """A bidding-mode trade-in's bidding: deadline, minimum, bids (a provider: its own).
        ---
        get:
          responses:
            200:
              description: the bidding
              x-result: RecycleBiddingOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND, RECYCLE_BIDDING_NOT_OPEN]
        """
        order = _visible(order_id)
        bidding.close_if_due(order.id)  # a bidding past its deadline shows its winner
        return self.response(200, result=bidding_out(order, acting_user()))

    @expose("/<int:order_id>/open", methods=["POST"])
    @protect()
    @idempotent
    def open(self, order_id: int):
        """Open a pending bidding-mode trade-in for bids (HQ): a deadline in minutes and a minimum
        bid (the settings' when not given); a bidding closed without bids opens again.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: OpenBiddingIn
          responses:
            201:
              description: the bidding
              x-result: RecycleBiddingOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND, RECYCLE_NOT_BIDDING, RECYCLE_STATE_INVALID,
            RECYCLE_BIDDING_ALREADY_OPEN, RECYCLE_BID_DEADLINE_INVALID, RECYCLE_BID_AMOUNT_INVALID,
            RECYCLE_NOT_REVIEWER]
        """
        data = json_body(OpenBiddingIn())
        viewer = acting_user()
        order = _visible(order_id)
        if not is_hq(viewer):
            raise DomainError("RECYCLE_NOT_REVIEWER", _l("Only the merchant opens a trade-in for bids."))
        bidding.open_bidding(order.id, viewer, data["minutes"], data["min_bid_fen"])
        return self.response(201, result=bidding_out(order, viewer))

    @expose("/<int:order_id>/bids", methods=["POST"])
    @protect()
    @idempotent
    def bid(self, order_id: int):
        """Bid on a trade-in open for bids (a service provider's user), before the deadline and at
        least the minimum; a provider may raise its bid.  The highest bid wins, the earliest of
        equal ones.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: BidIn
          responses:
            201:
              description: the bid
              x-result: RecycleBidOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND, RECYCLE_NOT_PROVIDER_USER, RECYCLE_BIDDING_NOT_OPEN,
            RECYCLE_BID_LATE, RECYCLE_BID_BELOW_MINIMUM, RECYCLE_BID_AMOUNT_INVALID]
        """
        data = json_body(BidIn())
        viewer = acting_user()
        order = _visible(order_id)
        bid = bidding.place_bid(order.id, data["amount_fen"], viewer, provider_id_of(viewer))
        return self.response(201, result=_bid_out(bid))


# ---------------------------------------------------------------- settlement (store)


class PosRecycleSettlementApi(RetailApi):
    route_base = "/api/v1/pos/recycle"
    resource_name = "pos-recycle-settlement"
    class_permission_name = "RecycleSettlement"
    openapi_spec_tag = "Trade-in settlement"
    method_permission_name = {"show": "read", "settle": "write", "complete": "write"}

    @expose("/orders/<int:order_id>/settlement", methods=["GET"])
    @protect()
    @read_only
    def show(self, order_id: int):
        """How the customer of a trade-in is paid: the payment code (QR, amount, expiry) or the
        purchase credit, and its status.
        ---
        get:
          responses:
            200:
              description: the settlement
              x-result: RecycleSettlementOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND, RECYCLE_NOT_SETTLED]
        """
        return self.response(200, result=settlement_out(_visible(order_id)))

    @expose("/orders/<int:order_id>/settle", methods=["POST"])
    @protect()
    @idempotent
    def settle(self, order_id: int):
        """Pay the customer of a quoted trade-in by its settlement method: a payment code for the
        customer to scan (the order is paid when they receive it; a new code once it expired), or
        a purchase credit (the order is paid now).  Never twice.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: RecycleEmptyIn
          responses:
            201:
              description: the settlement
              x-result: RecycleSettlementOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND, RECYCLE_STATE_INVALID, RECYCLE_STATE_CHANGED,
            RECYCLE_ALREADY_PAID]
        """
        json_body(RecycleEmptyIn())
        order = _visible(order_id)
        settlement.settle(order, acting_user())
        return self.response(201, result=settlement_out(_visible(order_id)))

    @expose("/orders/<int:order_id>/complete", methods=["POST"])
    @protect()
    @idempotent
    def complete(self, order_id: int):
        """Complete a paid trade-in.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: RecycleEmptyIn
          responses:
            200:
              description: the order's new state
              x-result: RecycleCompletedOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND, RECYCLE_STATE_INVALID, RECYCLE_STATE_CHANGED]
        """
        json_body(RecycleEmptyIn())
        order = settlement.complete(_visible(order_id), acting_user())
        return self.response(200, result={"order_id": order.id, "state": order.state})


# ---------------------------------------------------------------- the customer's payment code


class RecyclePaymentCodeApi(RetailApi):
    route_base = "/api/v1/recycle/payment-codes"
    resource_name = "recycle-payment-codes"
    openapi_spec_tag = "Trade-in settlement"

    @expose("/<string:token>", methods=["GET"])
    @read_only
    def show(self, token: str):
        """What the customer's phone shows from the payment code: the amount and until when.
        ---
        get:
          responses:
            200:
              description: the payment
              x-result: RecyclePaymentCodeOut
          x-error-codes: [RECYCLE_PAYMENT_CODE_INVALID]
        """
        return self.response(200, result=_payment_code_out(settlement.payment_code_settlement(token)))

    @expose("/<string:token>/receive", methods=["POST"])
    def receive(self, token: str):
        """The customer receives the money (once, before the code expires): the trade-in is paid.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: RecycleEmptyIn
          responses:
            200:
              description: the payment
              x-result: RecyclePaymentCodeOut
          x-error-codes: [RECYCLE_PAYMENT_CODE_INVALID, RECYCLE_PAYMENT_CODE_EXPIRED, RECYCLE_ALREADY_PAID,
            RECYCLE_STATE_INVALID, RECYCLE_STATE_CHANGED]
        """
        json_body(RecycleEmptyIn())
        return self.response(200, result=_payment_code_out(settlement.receive_payment(token)))

    @expose("/<string:token>.png", methods=["GET"])
    @read_only
    def qr(self, token: str):
        """The payment code as a QR PNG image (for a printer or a second screen).
        ---
        get:
          responses:
            200:
              description: the QR code
              content:
                image/png:
                  schema: {type: string, format: binary}
          x-error-codes: [RECYCLE_PAYMENT_CODE_INVALID]
        """
        settlement.payment_code_settlement(token)
        url = url_for("RecyclePaymentCodeApi.show", token=token, _external=True)
        return Response(qr_png(url), mimetype="image/png")


def _payment_code_out(row) -> dict:
    return {
        "order_no": row.order.order_no,
        "amount_fen": row.amount_fen,
        "status": row.status,
        "expires_on": row.expires_on.isoformat(timespec="seconds") if row.expires_on else None,
        "paid_on": row.paid_on.isoformat(timespec="seconds") if row.paid_on else None,
    }
