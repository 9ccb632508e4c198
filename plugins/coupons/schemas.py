"""Answers of the coupons plugin's POS and mall endpoints (the OpenAPI spec is generated from them)."""

from marshmallow import Schema, fields


class CouponOut(Schema):
    """``services.coupon_summary``."""

    code = fields.String(required=True)
    status = fields.String(required=True)
    rule_id = fields.Integer(required=True)
    name = fields.String(required=True)
    offer_type = fields.String(required=True, metadata={"description": "cash, discount, product or recharge"})
    face_value_fen = fields.Integer(required=True, allow_none=True)
    discount_rate = fields.Integer(required=True, allow_none=True)
    exchange_product = fields.String(required=True, allow_none=True)
    min_order_fen = fields.Integer(required=True)
    member_id = fields.Integer(required=True, allow_none=True)
    valid_from = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    valid_to = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    transferable = fields.Boolean(required=True)


class CouponVerdictOut(CouponOut):
    """A coupon checked against the order (usable here, why not, its discount)."""

    usable = fields.Boolean(required=True)
    reason = fields.String(required=True, metadata={"description": "the refusal code; empty if usable"})
    message = fields.String(metadata={"description": "localized reason (look-up by code)"})
    discount_fen = fields.Integer(required=True)


class RedemptionOut(Schema):
    redemption_no = fields.String(required=True)
    discount_fen = fields.Integer(required=True)
    code = fields.String(required=True)
    order_no = fields.String(required=True, allow_none=True)
    stored_value_txn_no = fields.String(metadata={"description": "recharge vouchers"})
    balance_fen = fields.Integer(metadata={"description": "recharge vouchers: the new balance"})


class GiftCodeOut(Schema):
    token = fields.String(required=True)
    url = fields.String(required=True)
    qr_png_base64 = fields.String(required=True)
    qr_png_url = fields.String(required=True)
    expires_on = fields.String(required=True, metadata={"format": "date-time"})
    caption = fields.String(required=True)


class CouponRuleOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    offer_type = fields.String(required=True)
    face_value_fen = fields.Integer(required=True, allow_none=True)
    discount_rate = fields.Integer(required=True, allow_none=True)
    min_order_fen = fields.Integer(required=True)
    sale_price_fen = fields.Integer(required=True, allow_none=True)
    per_member_limit = fields.Integer(required=True, allow_none=True)
    latest_claim_date = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    remaining = fields.Integer(required=True)
    transferable = fields.Boolean(required=True)


class BindPageOut(Schema):
    token = fields.String(required=True)
    bind = fields.String(required=True, metadata={"description": "where to POST the token"})


class MemberCodeOut(Schema):
    code = fields.String(required=True)
    member_code = fields.String(required=True, metadata={"description": "the number plus a signed part"})
    qr_png_base64 = fields.String(required=True)
    barcode_png_base64 = fields.String(required=True, metadata={"description": "Code 128"})


class CouponLookupQuery(Schema):
    order_total_fen = fields.Integer(metadata={"description": "the order's total, to check the minimum"})
    lines = fields.String(metadata={"description": "SKU:qty[:price_fen],… (SKU code or barcode)"})
    member_id = fields.Integer(metadata={"description": "the member identified on the sale"})


class CouponsByPhoneQuery(Schema):
    phone = fields.String(required=True)
    order_total_fen = fields.Integer()
