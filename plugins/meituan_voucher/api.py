"""POS rows of SPEC §7: ``POST pos/meituan/prepare|consume|reverse``."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.api import ApiError, RetailApi, idempotent, json_body, protect
from app.extensions import db
from app.security import acting_user, caller_store_id, current_staff
from plugins.meituan_voucher.services import consume_voucher, prepare_voucher, request_id_for, reverse_voucher

CODE = validate.Regexp(r"^[0-9A-Za-z]{4,32}$")


class CodeIn(Schema):
    code = fields.String(required=True, validate=CODE)


class ConsumeIn(Schema):
    code = fields.String(required=True, validate=CODE)
    count = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=100))
    order_no = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32))


def _staff_id():
    staff = current_staff()
    return staff.id if staff else None


def _check_order(order_no: str, store_id: int) -> None:
    """``order_no`` links the vouchers to an existing order of this store (not a payment of it)."""
    from app.sales.models import Order

    found = db.session.query(Order.id).filter_by(order_no=order_no, store_id=store_id).first()
    if found is None:
        raise ApiError("ORDER_NOT_FOUND", _l("Order not found."), 404)


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
          description: >-
            Errors: MEITUAN_VOUCHER_NOT_FOUND, MEITUAN_VOUCHER_USED, MEITUAN_VOUCHER_EXPIRED,
            MEITUAN_SHOP_NOT_BOUND, MEITUAN_SHOP_NOT_AUTHORIZED, MEITUAN_NOT_CONFIGURED, MEITUAN_TIMEOUT,
            MEITUAN_UNAVAILABLE, MEITUAN_SIGNATURE_REJECTED, MEITUAN_TOKEN_INVALID, VALIDATION_ERROR.
          responses:
            200:
              description: deal_title, count, price_fen, deal_id, mode, value_fen, …
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
            Errors: MEITUAN_VOUCHER_USED, MEITUAN_VOUCHER_EXPIRED, MEITUAN_COUNT_INVALID,
            MEITUAN_VOUCHER_NOT_FOUND, MEITUAN_SHOP_NOT_BOUND, MEITUAN_TIMEOUT and the prepare errors;
            ORDER_NOT_FOUND when order_no is not an order of this store. A voucher consumed without
            order_no can then pay a sale (payment method meituan, code = the voucher code).
          responses:
            201:
              description: verification_no, consumed, codes
        """
        data = json_body(ConsumeIn())
        store_id = caller_store_id("STORE_ACCOUNT_REQUIRED")
        if data["order_no"]:
            _check_order(data["order_no"], store_id)
        key = request.headers.get("Idempotency-Key", "").strip()
        request_id = request_id_for(acting_user().id, key, "consume")
        rows = consume_voucher(store_id, _staff_id(), data["code"], data["count"], request_id,
                               order_no=data["order_no"])
        result = verification_json(rows)
        db.session.commit()
        return self.response(201, result=result)

    @expose("/reverse", methods=["POST"])
    @protect()
    @idempotent
    def reverse(self):
        """Reverse a verification of this store within Meituan's 10 minutes.
        ---
        post:
          description: >-
            Vouchers that paid for an order are reversed by returning the order. Errors:
            MEITUAN_VERIFICATION_NOT_FOUND, MEITUAN_VOUCHER_ON_ORDER, MEITUAN_REVERSE_WINDOW_PASSED.
          responses:
            200:
              description: reversed
        """
        data = json_body(CodeIn())
        row = reverse_voucher(caller_store_id("STORE_ACCOUNT_REQUIRED"), _staff_id(), data["code"])
        result = {"reversed": True, "code": row.receipt_code, "verification_no": row.verification_no}
        db.session.commit()
        return self.response(200, result=result)
