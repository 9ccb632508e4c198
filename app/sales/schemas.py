"""Schemas of the POS order endpoints: the bodies they accept (unknown fields are refused)
and the answers they give (the OpenAPI spec is generated from both)."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.api import MAX_ID
from app.openapi import InputSchema

MAX_FEN = 100_000_000_00  # 100 million yuan: beyond any single retail order


class OrderLineIn(InputSchema):
    sku_code = fields.String(validate=validate.Length(min=1, max=32))
    barcode = fields.String(validate=validate.Length(min=1, max=32))
    qty = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=9999))
    price_fen = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_FEN))
    discount_fen = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_FEN))

    @validates_schema
    def one_product_key(self, data, **kwargs):
        if not data.get("sku_code") and not data.get("barcode"):
            raise ValidationError(str(_l("Give sku_code or barcode.")), "sku_code")


class PaymentIn(InputSchema):
    method = fields.String(required=True, validate=validate.Length(min=1, max=20))
    amount_fen = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_FEN))
    code = fields.String(validate=validate.Length(max=64))


class ApprovalIn(InputSchema):
    """A store manager approving a price override on the till (their login)."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class OrderIn(InputSchema):
    member_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    lines = fields.List(fields.Nested(OrderLineIn), required=True, validate=validate.Length(min=1, max=200))
    payments = fields.List(fields.Nested(PaymentIn), required=True, validate=validate.Length(min=1, max=10))
    discount_fen = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_FEN))
    points_used = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=10**9))
    note = fields.String(load_default="", validate=validate.Length(max=200))
    approval = fields.Nested(ApprovalIn)


class ReturnLineIn(InputSchema):
    line_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    qty = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=9999))


class ReturnIn(InputSchema):
    lines = fields.List(fields.Nested(ReturnLineIn), validate=validate.Length(min=1, max=200))


# ---------------------------------------------------------------- answers


class OrderLineOut(Schema):
    line_id = fields.Integer(required=True)
    sku_code = fields.String(required=True)
    name = fields.String(required=True)
    qty = fields.Integer(required=True)
    price_fen = fields.Integer(required=True)
    discount_fen = fields.Integer(required=True)
    amount_fen = fields.Integer(required=True)
    returned_qty = fields.Integer(required=True)


class OrderPaymentOut(Schema):
    method = fields.String(required=True)
    amount_fen = fields.Integer(required=True)
    refunded_fen = fields.Integer(required=True)
    reference = fields.String(required=True, allow_none=True)


class OrderOut(Schema):
    order_no = fields.String(required=True)
    status = fields.String(required=True)
    store = fields.String(required=True, metadata={"description": "store code"})
    member_id = fields.Integer(required=True, allow_none=True)
    member = fields.Dict(required=True, allow_none=True, metadata={"description": "as pos/members shows it"})
    total_fen = fields.Integer(required=True)
    discount_fen = fields.Integer(required=True)
    paid_fen = fields.Integer(required=True)
    points_used = fields.Integer(required=True)
    points_earned = fields.Integer(required=True)
    note = fields.String(required=True, allow_none=True)
    created_on = fields.String(required=True, metadata={"format": "date-time"})
    lines = fields.List(fields.Nested(OrderLineOut), required=True)
    payments = fields.List(fields.Nested(OrderPaymentOut), required=True)


class RefundOut(Schema):
    method = fields.String(required=True)
    amount_fen = fields.Integer(required=True)


class ReturnOut(Schema):
    return_no = fields.String(required=True)
    order_no = fields.String(required=True)
    amount_fen = fields.Integer(required=True)
    points_reversed = fields.Integer(required=True)
    refunds = fields.List(fields.Nested(RefundOut), required=True)
