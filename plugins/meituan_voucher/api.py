"""POS rows of SPEC §7: ``POST pos/meituan/prepare|consume|reverse``."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.actor import acting_user
from app.api import RetailApi, idempotent, json_body, protect
from app.errors import DomainError
from app.extensions import db
from app.openapi import InputSchema
from app.security import caller_store_id, current_staff
from app.unit_of_work import unit_of_work
from plugins.meituan_voucher.services import consume_voucher, prepare_voucher, request_id_for, reverse_voucher

CODE = validate.Regexp(r"^[0-9A-Za-z]{4,32}$")


class CodeIn(InputSchema):
    code = fields.String(required=True, validate=CODE)


class ConsumeIn(InputSchema):
    code = fields.String(required=True, validate=CODE)
    count = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=100))
    order_no = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32))


class PreparedOut(Schema):
    code = fields.String(required=True)
    deal_id = fields.String(required=True)
    deal_group_id = fields.String(required=True)
    deal_title = fields.String(required=True, allow_none=True)
    count = fields.Integer(required=True, metadata={"description": "vouchers of the order still verifiable"})
    price_fen = fields.Integer(required=True, allow_none=True)
    market_price_fen = fields.Integer(required=True, allow_none=True)
    mobile = fields.String(required=True, allow_none=True)
    biz_type = fields.Integer(required=True, allow_none=True)
    end_date = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    mode = fields.String(required=True, metadata={"description": "tender (pays an amount) or product"})
    value_fen = fields.Integer(required=True, allow_none=True)
    sku_code = fields.String(required=True, allow_none=True)
    qty = fields.Integer(required=True)


class VerificationOut(Schema):
    verification_no = fields.String(required=True)
    consumed = fields.Integer(required=True)
    codes = fields.List(fields.String(), required=True)
    deal_id = fields.String(required=True)
    deal_title = fields.String(required=True, allow_none=True)
    price_fen = fields.Integer(required=True, allow_none=True)
    order_no = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)


class ReversedOut(Schema):
    reversed = fields.Boolean(required=True)
    code = fields.String(required=True)
    verification_no = fields.String(required=True)



def _staff_id():
    staff = current_staff()
    return staff.id if staff else None


def _check_order(order_no: str, store_id: int) -> None:
    """``order_no`` links the vouchers to an existing order of this store (not a payment of it)."""
    from app.sales.models import Order

    found = db.session.query(Order.id).filter_by(order_no=order_no, store_id=store_id).first()
    if found is None:
        raise DomainError("ORDER_NOT_FOUND", _l("Order not found."))


def verification_json(rows) -> dict:
    first = rows[0]
    return {
        "verification_no": first.verification_no,
        "consumed": len(rows),
        "codes": [r.receipt_code for r in rows],
        "deal_id": first.deal_id,
        "deal_title": first.deal_title,
        "price_fen": first.price_fen,
        "order_no": first.order_no,
        "status": first.status,
    }


class PosMeituanApi(RetailApi):
    route_base = "/api/v1/pos/meituan"
    resource_name = "pos_meituan"
    class_permission_name = "PosMeituan"
    openapi_spec_tag = "POS Meituan vouchers"
    method_permission_name = {"prepare": "read", "consume": "write", "reverse": "write"}

    @expose("/prepare", methods=["POST"])
    @protect()
    def prepare(self):
        """Look a voucher up on Meituan (read-only): deal, count still verifiable, price.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: CodeIn
          responses:
            200:
              description: the deal, how many vouchers are still verifiable, and what one pays
              x-result: PreparedOut
          x-error-codes: [STORE_ACCOUNT_REQUIRED, MEITUAN_NOT_CONFIGURED, MEITUAN_SHOP_NOT_BOUND,
            MEITUAN_VOUCHER_NOT_FOUND, MEITUAN_VOUCHER_USED, MEITUAN_VOUCHER_EXPIRED, MEITUAN_COUNT_INVALID,
            MEITUAN_SHOP_NOT_AUTHORIZED, MEITUAN_DEAL_MISMATCH, MEITUAN_SIGNATURE_REJECTED,
            MEITUAN_TOKEN_EXPIRED, MEITUAN_TOKEN_INVALID, MEITUAN_TIMEOUT, MEITUAN_UNAVAILABLE,
            MEITUAN_BAD_RESPONSE, MEITUAN_REQUEST_INVALID, MEITUAN_REFUSED]
        """
        data = json_body(CodeIn())
        result = prepare_voucher(caller_store_id("STORE_ACCOUNT_REQUIRED"), _staff_id(), data["code"])
        return self.response(200, result=result)

    @expose("/consume", methods=["POST"])
    @protect()
    @idempotent
    def consume(self):
        """Verify ``count`` vouchers of the code's Meituan order (send an Idempotency-Key).
        ---
        post:
          description: >-
            The Idempotency-Key also becomes Meituan's requestId, so a retry never consumes twice.
            ORDER_NOT_FOUND when order_no is not an order of this store. A voucher consumed without
            order_no can then pay a sale (payment method meituan, code = the voucher code).
          requestBody:
            required: true
            content:
              application/json:
                schema: ConsumeIn
          responses:
            201:
              description: the verification
              x-result: VerificationOut
          x-error-codes: [STORE_ACCOUNT_REQUIRED, ORDER_NOT_FOUND, MEITUAN_VERIFICATION_PENDING,
            MEITUAN_VOUCHER_NOT_RECORDED, MEITUAN_NOT_CONFIGURED,
            MEITUAN_SHOP_NOT_BOUND,
            MEITUAN_VOUCHER_NOT_FOUND, MEITUAN_VOUCHER_USED, MEITUAN_VOUCHER_EXPIRED, MEITUAN_COUNT_INVALID,
            MEITUAN_SHOP_NOT_AUTHORIZED, MEITUAN_DEAL_MISMATCH, MEITUAN_SIGNATURE_REJECTED,
            MEITUAN_TOKEN_EXPIRED, MEITUAN_TOKEN_INVALID, MEITUAN_TIMEOUT, MEITUAN_UNAVAILABLE,
            MEITUAN_BAD_RESPONSE, MEITUAN_REQUEST_INVALID, MEITUAN_REFUSED]
        """
        data = json_body(ConsumeIn())
        store_id = caller_store_id("STORE_ACCOUNT_REQUIRED")
        if data["order_no"]:
            _check_order(data["order_no"], store_id)
        key = request.headers.get("Idempotency-Key", "").strip()
        request_id = request_id_for(acting_user().id, key, "consume")
        with unit_of_work():
            rows = consume_voucher(store_id, _staff_id(), data["code"], data["count"], request_id,
                                   order_no=data["order_no"])
            result = verification_json(rows)
        return self.response(201, result=result)

    @expose("/reverse", methods=["POST"])
    @protect()
    @idempotent
    def reverse(self):
        """Reverse a verification of this store within Meituan's 10 minutes.
        ---
        post:
          description: >-
            Vouchers that paid for an order are reversed by returning the order.
          requestBody:
            required: true
            content:
              application/json:
                schema: CodeIn
          responses:
            200:
              description: the reversed voucher
              x-result: ReversedOut
          x-error-codes: [STORE_ACCOUNT_REQUIRED, MEITUAN_VERIFICATION_NOT_FOUND, MEITUAN_VOUCHER_ON_ORDER,
            MEITUAN_REVERSE_WINDOW_PASSED, MEITUAN_NOT_CONSUMED, MEITUAN_NOT_CONFIGURED,
            MEITUAN_SHOP_NOT_BOUND,
            MEITUAN_VOUCHER_NOT_FOUND, MEITUAN_VOUCHER_USED, MEITUAN_VOUCHER_EXPIRED, MEITUAN_COUNT_INVALID,
            MEITUAN_SHOP_NOT_AUTHORIZED, MEITUAN_DEAL_MISMATCH, MEITUAN_SIGNATURE_REJECTED,
            MEITUAN_TOKEN_EXPIRED, MEITUAN_TOKEN_INVALID, MEITUAN_TIMEOUT, MEITUAN_UNAVAILABLE,
            MEITUAN_BAD_RESPONSE, MEITUAN_REQUEST_INVALID, MEITUAN_REFUSED]
        """
        data = json_body(CodeIn())
        with unit_of_work():
            row = reverse_voucher(caller_store_id("STORE_ACCOUNT_REQUIRED"), _staff_id(), data["code"])
            result = {"reversed": True, "code": row.receipt_code, "verification_no": row.verification_no}
        return self.response(200, result=result)
