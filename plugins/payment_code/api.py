"""POS and mall endpoints of the payment_code plugin (SPEC §7 ``POST pos/pay-code/charge``,
§7.1 ``GET mall/pay-code``; card binding)."""

from __future__ import annotations

import base64

from flask import Response, g, url_for
from flask_appbuilder.api import expose
from marshmallow import Schema, fields, validate

from app.actor import acting_user
from app.api import MAX_ID, RetailApi, idempotent, json_body, protect, read_only
from app.mall.api import MallApi, member_required
from app.mall.idempotency import member_idempotent
from app.members.services import pos_member
from app.openapi import InputSchema
from app.qr import qr_png
from app.security import caller_store_id, current_staff
from plugins.payment_code import cards, images, services
from plugins.payment_code.tender import terminal_key

MAX_FEN = 10_000_000_000


class PayCodeChargeIn(InputSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    amount_fen = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_FEN))


class PayCodeIdentifyIn(InputSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class PayCodeChargeOut(Schema):
    member_id = fields.Integer(required=True, allow_none=True,
                               metadata={"description": "the member charged (a card: its member, if bound)"})
    txn_no = fields.String(required=True)
    balance_fen = fields.Integer(required=True, metadata={"description": "stored value or card balance left"})
    source = fields.String(required=True, metadata={"description": "stored_value or card"})
    card_no = fields.String(required=True, allow_none=True)


class PayCodeIdentifyOut(Schema):
    member_id = fields.Integer(required=True, allow_none=True)
    member_no = fields.String(required=True, allow_none=True)
    source = fields.String(required=True, metadata={"description": "stored_value or card"})
    card_no = fields.String(required=True, allow_none=True)


class PayCardOut(Schema):
    card_no = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "active or frozen"})
    balance_fen = fields.Integer(required=True)
    valid_until = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    member_id = fields.Integer(required=True, allow_none=True)


class PayCardBindIn(InputSchema):
    member_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))


class PayCardBindCodeIn(InputSchema):
    minutes = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=1, max=1440),
                             metadata={"description": "lifetime of the code; default: the setting"})


class PayCardBindCodeOut(Schema):
    token = fields.String(required=True)
    url = fields.String(required=True)
    qr_png = fields.String(required=True, metadata={"description": "data URL"})
    expires_on = fields.String(required=True)
    caption = fields.String(required=True)


class MallPayCodeOut(Schema):
    code = fields.String(required=True, metadata={"description": "18 digits"})
    expires_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    refresh_in = fields.Integer(required=True, metadata={"description": "seconds until the next code"})
    step_seconds = fields.Integer(required=True)
    barcode_png = fields.String(required=True, metadata={"description": "Code 128, data URL"})
    qr_png = fields.String(required=True, metadata={"description": "data URL"})


class MallCardBindIn(InputSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=500))


class MallCardBindPageOut(Schema):
    token = fields.String(required=True)
    bind = fields.String(required=True)


def card_summary(card) -> dict:
    return {
        "card_no": card.card_no,
        "status": card.status,
        "balance_fen": card.balance_fen,
        "valid_until": card.valid_until.isoformat() if card.valid_until else None,
        "member_id": card.member_id,
    }


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


class PosPayCodeApi(RetailApi):
    route_base = "/api/v1/pos"
    resource_name = "pos-pay-code"
    class_permission_name = "PosPayCode"
    openapi_spec_tag = "POS pay codes and cards"
    method_permission_name = {"charge": "write", "identify": "read", "card": "read", "bind": "write",
                              "bind_code": "write"}

    @expose("/pay-code/charge", methods=["POST"])
    @protect()
    @idempotent
    def charge(self):
        """Charge a scanned pay code: a member's dynamic code takes stored value, a card's printed
        code takes the card's balance. Each dynamic code pays once.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: PayCodeChargeIn
          responses:
            201:
              description: the ledger entry and the balance left
              x-result: PayCodeChargeOut
          x-error-codes: [STORE_REQUIRED, PAY_CODE_MALFORMED, PAY_CODE_INVALID, PAY_CODE_EXPIRED,
            PAY_CODE_USED, CARD_FROZEN, CARD_EXPIRED, INSUFFICIENT_BALANCE, MEMBER_FROZEN, MEMBER_REFUSALS,
            RATE_LIMITED]
        """
        data = json_body(PayCodeChargeIn())
        store_id = caller_store_id()
        staff = current_staff()
        charged = services.charge_code(data["code"], data["amount_fen"], store_id,
                                       staff.id if staff else None, terminal_key())
        return self.response(201, result={
            "member_id": charged.member_id, "txn_no": charged.txn_no, "balance_fen": charged.balance_fen,
            "source": charged.source, "card_no": charged.card_no,
        })

    @expose("/pay-code/identify", methods=["POST"])
    @protect()
    def identify(self):
        """The member (or card) of a scanned pay code, without using the code up: put the member
        on the sale, then pay with the same code (``pay_code`` payment of ``POST pos/orders``).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: PayCodeIdentifyIn
          responses:
            200:
              description: whose code it is
              x-result: PayCodeIdentifyOut
          x-error-codes: [STORE_REQUIRED, PAY_CODE_MALFORMED, PAY_CODE_INVALID, PAY_CODE_EXPIRED,
            PAY_CODE_USED, CARD_FROZEN, CARD_EXPIRED, MEMBER_FROZEN, MEMBER_REFUSALS, RATE_LIMITED]
        """
        data = json_body(PayCodeIdentifyIn())
        target = services.resolve(data["code"], caller_store_id(), terminal_key())
        member = target.member
        return self.response(200, result={
            "member_id": member.id if member else None, "member_no": member.member_no if member else None,
            "source": "card" if target.card else "stored_value",
            "card_no": target.card.card_no if target.card else None,
        })

    @expose("/cards/<string:card_no>", methods=["GET"])
    @protect()
    @read_only
    def card(self, card_no: str):
        """A stored-value card by its number: status, balance, validity, bound member.
        ---
        get:
          responses:
            200:
              description: the card
              x-result: PayCardOut
          x-error-codes: [STORE_REQUIRED, CARD_NOT_FOUND]
        """
        caller_store_id()
        return self.response(200, result=card_summary(cards.get_card(card_no)))

    @expose("/cards/<string:card_no>/bind", methods=["POST"])
    @protect()
    @idempotent
    def bind(self, card_no: str):
        """Bind an unbound card to a member (a card binds once).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: PayCardBindIn
          responses:
            200:
              description: the card, now the member's
              x-result: PayCardOut
          x-error-codes: [STORE_REQUIRED, CARD_NOT_FOUND, CARD_ALREADY_BOUND, NOT_FOUND, MEMBER_FROZEN,
            MEMBER_REFUSALS]
        """
        data = json_body(PayCardBindIn())
        store_id = caller_store_id()
        card = cards.get_card(card_no)
        member = pos_member(acting_user(), data["member_id"], store_id, "stored_value")
        return self.response(200, result=card_summary(cards.bind_card(card, member, user=acting_user())))

    @expose("/cards/<string:card_no>/bind-code", methods=["POST"])
    @protect()
    def bind_code(self, card_no: str):
        """A one-time, expiring binding QR code for an unbound card: the member scans it in the mall.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: PayCardBindCodeIn
          responses:
            201:
              description: the binding code
              x-result: PayCardBindCodeOut
              links:
                page:
                  operationId: MallPayCodeApi_card_bind_page
                  parameters: {token: $response.body#/result/token}
          x-error-codes: [STORE_REQUIRED, CARD_NOT_FOUND, CARD_ALREADY_BOUND]
        """
        data = json_body(PayCardBindCodeIn())
        caller_store_id()
        token, row = cards.create_bind_token(cards.get_card(card_no), data["minutes"])
        url = url_for("MallPayCodeApi.card_bind_page", token=token, _external=True)
        return self.response(201, result={
            "token": token, "url": url, "qr_png": _data_url(qr_png(url)),
            "expires_on": row.expires_on.isoformat(timespec="seconds"),
            "caption": str(services.bind_caption()),
        })


class MallPayCodeApi(MallApi):
    route_base = "/api/v1/mall"
    resource_name = "mall-pay-code"
    openapi_spec_tag = "Mall pay code and cards"

    @expose("/pay-code", methods=["GET"])
    @member_required
    def pay_code(self):
        """The member's current dynamic pay code (18 digits) as text, Code 128 barcode and QR code;
        it changes every 30 seconds: ask again at ``expires_at`` (or to refresh it).
        ---
        get:
          responses:
            200:
              description: the code to show at the till
              x-result: MallPayCodeOut
        """
        shown = services.current_code(g.member)
        shown["barcode_png"] = _data_url(images.barcode_png(shown["code"]))
        shown["qr_png"] = _data_url(qr_png(shown["code"]))
        response = self.response(200, result=shown)
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/cards", methods=["GET"])
    @member_required
    @read_only
    def my_cards(self):
        """The member's stored-value cards.
        ---
        get:
          responses:
            200:
              description: the cards bound to the member
              x-results: PayCardOut
        """
        result = [card_summary(c) for c in services.member_cards(g.member.id)]
        return self.response(200, count=len(result), result=result)

    @expose("/cards/bind", methods=["POST"])
    @member_required
    @member_idempotent
    def card_bind(self):
        """Bind a card to the logged-in member with the token of its binding QR code.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: MallCardBindIn
          responses:
            200:
              description: the card, now the member's
              x-result: PayCardOut
          x-error-codes: [CARD_BIND_TOKEN_INVALID, CARD_BIND_TOKEN_EXPIRED, CARD_BIND_TOKEN_USED,
            CARD_ALREADY_BOUND, MEMBER_FROZEN]
        """
        data = json_body(MallCardBindIn())
        return self.response(200, result=card_summary(cards.bind_with_token(data["token"], g.member)))

    @expose("/cards/bind/<string:token>", methods=["GET"])
    def card_bind_page(self, token: str):
        """Where a card's binding QR code points: the mall app opens it and POSTs the token.
        ---
        get:
          responses:
            200:
              description: the token and where to POST it
              x-result: MallCardBindPageOut
        """
        return self.response(200, result={"token": token, "bind": url_for("MallPayCodeApi.card_bind")})

    @expose("/cards/bind-qr/<string:token>.png", methods=["GET"])
    def card_bind_qr(self, token: str):
        """The binding QR code of a card as a PNG image.
        ---
        get:
          responses:
            200:
              description: the QR code
              content:
                image/png:
                  schema: {type: string, format: binary}
        """
        url = url_for("MallPayCodeApi.card_bind_page", token=token, _external=True)
        return Response(qr_png(url), mimetype="image/png")
