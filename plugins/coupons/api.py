"""POS and mall endpoints of the coupons plugin (SPEC §7 coupon rows, F0.5, F4.15)."""

from __future__ import annotations

import base64

from flask import g, request, url_for
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from sqlalchemy import or_, select

from app.actor import acting_user
from app.api import MAX_ID, RetailApi, idempotent, json_body, protect, read_only
from app.errors import DomainError
from app.extensions import db
from app.mall.api import MallApi, member_required
from app.mall.idempotency import member_idempotent
from app.members.services import member_query, pos_member, validate_phone
from app.openapi import InputSchema
from app.platform.settings import get_setting
from app.security import caller_store_id
from plugins.coupons import (
    gift,
    images,
    member_code,
    schemas,  # noqa: F401  (the answers named in the docstrings)
    services,
)
from plugins.coupons.models import CouponRule

MAX_FEN = 10**12


def _int_arg(name: str, low: int, high: int) -> int | None:
    """A whole-number query argument in ``low..high``; None when absent."""
    raw = request.args.get(name) or ""
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise DomainError(
            "VALIDATION_ERROR",
            _l("Some fields are invalid."),
            fields={name: [str(_l("Not a valid integer."))]},
        )
    return int(raw)


def _order_total_arg() -> int | None:
    return _int_arg("order_total_fen", 0, MAX_FEN)


def _member_id_arg() -> int | None:
    """``?member_id=``: the member identified on the sale (a member's coupon needs them)."""
    return _int_arg("member_id", 1, MAX_ID)


MAX_QUERY_LINES = 200


def _lines_arg() -> list | None:
    """``?lines=SKU:qty[:price_fen],…`` (SKU code or barcode): the order's lines, so excluded
    categories and product vouchers are judged as the sale will judge them."""
    from types import SimpleNamespace

    from app.catalog.services import resolve_skus

    raw = (request.args.get("lines") or "").strip()
    if not raw:
        return None
    parts = [p.split(":") for p in raw.split(",") if p]
    invalid = DomainError(
        "VALIDATION_ERROR",
        _l("Some fields are invalid."),
        fields={"lines": [str(_l("Not a valid list."))]},
    )
    if len(parts) > MAX_QUERY_LINES or any(
        len(p) not in (2, 3) or not all(x.isdigit() for x in p[1:]) for p in parts
    ):
        raise invalid
    skus = resolve_skus([(part[0], part[0]) for part in parts])  # a key is a SKU code or a barcode
    lines = []
    for part, sku in zip(parts, skus, strict=True):
        qty = int(part[1])
        price = int(part[2]) if len(part) == 3 else sku.price_fen
        if qty < 1 or qty > MAX_ID or price > MAX_FEN:
            raise invalid
        lines.append(SimpleNamespace(sku_id=sku.id, qty=qty, amount_fen=qty * price))
    return lines



def _pos_member_id(member_id, store_id: int):
    """A member named in a POS request: visible to the caller and usable here, or refused."""
    if member_id is None:
        return None
    return pos_member(acting_user(), member_id, store_id, "coupon", "MEMBER_NOT_FOUND").id

class RedeemIn(InputSchema):
    order_total_fen = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_FEN))
    order_no = fields.String(load_default="", validate=validate.Length(max=40))
    member_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )


class IssueIn(InputSchema):
    member_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )


def _redeem_result(redemption) -> dict:
    from app.loyalty.services import stored_value_balance

    result = {
        "redemption_no": redemption.redemption_no,
        "discount_fen": redemption.discount_fen,
        "code": redemption.coupon.code,
        "order_no": redemption.order_no,
    }
    if redemption.stored_value_txn_no:
        result["stored_value_txn_no"] = redemption.stored_value_txn_no
        result["balance_fen"] = stored_value_balance(redemption.member_id)
    return result


class PosCouponsApi(RetailApi):
    route_base = "/api/v1/pos"
    resource_name = "pos-coupons"
    class_permission_name = "PosCoupons"
    openapi_spec_tag = "POS coupons"
    method_permission_name = {
        "lookup": "read",
        "by_phone": "read",
        "redeem": "write",
        "issue": "write",
        "gift_code": "write",
    }

    @expose("/coupons/<string:code>", methods=["GET"])
    @protect()
    @read_only
    def lookup(self, code: str):
        """Look up a coupon by code or scanned barcode and verify it against an order.
        ---
        get:
          parameters:
          - {in: query, schema: CouponLookupQuery}
          responses:
            200:
              description: the coupon, whether it is usable on this order, and its discount
              x-result: CouponVerdictOut
          x-error-codes: [STORE_REQUIRED, COUPON_NOT_FOUND, COUPON_MEMBER_NOT_IDENTIFIED, UNKNOWN_SKU]
        """
        store_id = caller_store_id()
        total = _order_total_arg()
        lines = _lines_arg()
        if lines is not None and total is None:
            total = sum(line.amount_fen for line in lines)
        coupon = services.get_coupon(code)
        services.check_holder(coupon, code, _member_id_arg())
        verdict = services.verify(coupon, store_id, total, lines)
        result = services.coupon_summary(coupon)
        result.update(
            usable=verdict.usable,
            reason=verdict.reason,
            message=str(verdict.message or ""),
            discount_fen=verdict.discount_fen,
        )
        return self.response(200, result=result)

    @expose("/coupons", methods=["GET"])
    @protect()
    @read_only
    def by_phone(self):
        """A member's usable coupons at the caller's store, by exact phone.
        ---
        get:
          parameters:
          - {in: query, schema: CouponsByPhoneQuery}
          responses:
            200:
              description: the member's coupons usable at this store
              x-results: CouponVerdictOut
              links:
                lookup:
                  operationId: PosCouponsApi_lookup
                  parameters: {code: $response.body#/result/0/code}
                redeem:
                  operationId: PosCouponsApi_redeem
                  parameters: {code: $response.body#/result/0/code}
          x-error-codes: [STORE_REQUIRED, INVALID_PHONE]
        """
        store_id = caller_store_id()
        phone = validate_phone((request.args.get("phone") or "").strip())
        total = _order_total_arg()
        member = db.session.scalars(member_query(acting_user(), "api", phone=phone)).first()
        result = []
        if member is not None:
            for coupon in services.member_coupons(member.id, store_id):
                verdict = services.verify(coupon, store_id, total)
                item = services.coupon_summary(coupon)
                item.update(usable=verdict.usable, reason=verdict.reason, discount_fen=verdict.discount_fen)
                result.append(item)
        return self.response(200, count=len(result), result=result)

    @expose("/coupons/<string:code>/redeem", methods=["POST"])
    @protect()
    @idempotent
    def redeem(self, code: str):
        """Redeem a coupon exactly once (recharge vouchers top up the member's stored value).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: RedeemIn
          responses:
            201:
              description: the redemption
              x-result: RedemptionOut
          x-error-codes: [STORE_REQUIRED, COUPON_NOT_FOUND, COUPON_MEMBER_NOT_IDENTIFIED,
            COUPON_ALREADY_REDEEMED, COUPON_EXPIRED, COUPON_VOID, COUPON_NOT_ISSUED, COUPON_NOT_YET_VALID,
            COUPON_MIN_ORDER, COUPON_STORE_NOT_ALLOWED, COUPON_NOTHING_ELIGIBLE, COUPON_PRODUCT_NOT_IN_ORDER,
            MEMBER_REQUIRED, MEMBER_NOT_FOUND, MEMBER_FROZEN, MEMBER_REFUSALS]
        """
        data = json_body(RedeemIn())
        store_id = caller_store_id()
        redemption = services.redeem_coupon(
            code,
            store_id,
            data["order_total_fen"],
            order_no=data["order_no"],
            member_id=_pos_member_id(data["member_id"], store_id),
            user_id=acting_user().id,
        )
        return self.response(201, result=_redeem_result(redemption))

    @expose("/coupons/<string:code>/issue", methods=["POST"])
    @protect()
    @idempotent
    def issue(self, code: str):
        """Issue (发放) a physical coupon collected to the caller's store to a member or a bearer.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: IssueIn
          responses:
            201:
              description: the issued coupon
              x-result: CouponOut
          x-error-codes: [STORE_REQUIRED, COUPON_NOT_FOUND, COUPON_STATUS_INVALID, COUPON_RULE_DISABLED,
            MEMBER_NOT_FOUND, MEMBER_FROZEN, MEMBER_NOT_IN_GROUP]
        """
        data = json_body(IssueIn())
        store_id = caller_store_id()
        coupon = services.get_coupon(code)
        if coupon.store_id != store_id:
            raise DomainError("COUPON_NOT_FOUND", _l("Coupon not found."))
        member_id = _pos_member_id(data["member_id"], store_id)
        coupon = services.issue_physical(coupon.id, store_id, member_id, user_id=acting_user().id)
        return self.response(201, result=services.coupon_summary(coupon))

    @expose("/coupons/<string:code>/gift-code", methods=["POST"])
    @protect()
    def gift_code(self, code: str):
        """Make a one-time, expiring gift binding code for a coupon, as a QR PNG and its URL (F0.5).
        ---
        post:
          responses:
            201:
              description: the gift binding code
              x-result: GiftCodeOut
              links:
                page:
                  operationId: MallCouponsApi_bind_page
                  parameters: {token: $response.body#/result/token}
          x-error-codes: [STORE_REQUIRED, COUPON_NOT_FOUND, COUPON_NOT_GIFTABLE]
        """
        store_id = caller_store_id()
        coupon = services.get_coupon(code)
        token, row = gift.create_gift_token(coupon, store_id)
        url = url_for("MallCouponsApi.bind_page", token=token, _external=True)
        return self.response(
            201,
            result={
                "token": token,
                "url": url,
                "qr_png_base64": images.qr_png_base64(url),
                "qr_png_url": url_for("MallCouponsApi.gift_qr", token=token, _external=True),
                "expires_on": row.expires_on.isoformat(timespec="seconds"),
                "caption": str(_l("Scan to receive your coupon")),
            },
        )


class PurchaseIn(InputSchema):
    payment_method = fields.String(required=True, validate=validate.OneOf(services.PURCHASE_METHODS))
    payment_ref = fields.String(load_default="", validate=validate.Length(max=64))


class TransferIn(InputSchema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=11))


class VoucherRechargeIn(InputSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class BindIn(InputSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=500))


def _rule_summary(rule: CouponRule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "offer_type": rule.offer_type,
        "face_value_fen": rule.face_value_fen,
        "discount_rate": rule.discount_rate,
        "min_order_fen": rule.min_order_fen,
        "sale_price_fen": rule.sale_price_fen,
        "per_member_limit": rule.per_member_limit,
        "latest_claim_date": rule.latest_claim_date.isoformat() if rule.latest_claim_date else None,
        "remaining": rule.total_count - rule.issued_count,
        "transferable": rule.transferable,
    }


class MallCouponsApi(MallApi):
    route_base = "/api/v1/mall/coupons"
    resource_name = "mall-coupons"
    openapi_spec_tag = "Mall coupons"

    @expose("/rules", methods=["GET"])
    @member_required
    @read_only
    def rules(self):
        """Electronic coupons a member can claim or buy now.
        ---
        get:
          responses:
            200:
              description: the rules open now
              x-results: CouponRuleOut
              links:
                claim:
                  operationId: MallCouponsApi_claim
                  parameters: {rule_id: $response.body#/result/0/id}
                purchase:
                  operationId: MallCouponsApi_purchase
                  parameters: {rule_id: $response.body#/result/0/id}
        """
        from datetime import date

        today = date.today()
        rules = db.session.scalars(
            select(CouponRule)
            .where(
                CouponRule.status == "audited",
                CouponRule.disabled.is_(False),
                CouponRule.medium == "electronic",
                CouponRule.kind == "normal",
                CouponRule.issued_count < CouponRule.total_count,
                or_(CouponRule.latest_claim_date.is_(None), CouponRule.latest_claim_date >= today),
                or_(CouponRule.valid_until.is_(None), CouponRule.valid_until >= today),
            )
            .order_by(CouponRule.id)
        ).all()
        result = [_rule_summary(r) for r in rules]
        return self.response(200, count=len(result), result=result)

    @expose("", methods=["GET"])
    @member_required
    @read_only
    def mine(self):
        """The member's own coupons (every status).
        ---
        get:
          responses:
            200:
              description: the member's coupons
              x-results: CouponOut
              links:
                transfer:
                  operationId: MallCouponsApi_transfer
                  parameters: {code: $response.body#/result/0/code}
        """
        coupons = services.member_coupons(g.member.id, usable_only=False)
        result = [services.coupon_summary(c) for c in coupons]
        return self.response(200, count=len(result), result=result)

    @expose("/<string:code>/member-code", methods=["GET"])
    @member_required
    @read_only
    def member_code(self, code: str):
        """The code the member shows at the till for one of their coupons: the number plus a
        signed part, as text, a QR code and a Code 128 barcode (PNG, base64).
        ---
        get:
          responses:
            200:
              description: the code to show at the till
              x-result: MemberCodeOut
          x-error-codes: [COUPON_NOT_FOUND]
        """
        coupon = services.get_coupon(code)
        if coupon.member_id != g.member.id:
            raise DomainError("COUPON_NOT_FOUND", _l("Coupon not found."))
        shown = member_code.member_code(coupon.code, g.member.id)
        return self.response(
            200,
            result={
                "code": coupon.code,
                "member_code": shown,
                "qr_png_base64": images.qr_png_base64(shown),
                "barcode_png_base64": base64.b64encode(member_code.barcode_png(shown)).decode("ascii"),
            },
        )

    @expose("/rules/<int:rule_id>/claim", methods=["POST"])
    @member_required
    @member_idempotent
    def claim(self, rule_id: int):
        """Claim a free electronic coupon (per-member limit and total count enforced).
        ---
        post:
          responses:
            201:
              description: the claimed coupon
              x-result: CouponOut
          x-error-codes: [COUPON_RULE_NOT_FOUND, COUPON_RULE_NOT_AUDITED, COUPON_RULE_DISABLED,
            COUPON_RULE_EXPIRED, COUPON_RULE_NOT_ELECTRONIC, COUPON_NOT_CLAIMABLE, COUPON_MUST_BE_PURCHASED,
            COUPON_LIMIT_REACHED, COUPON_SOLD_OUT, COUPON_CLAIM_CLOSED]
        """
        coupon = services.claim_coupon(rule_id, g.member, app_id=get_setting("coupons.mall_app_id") or "")
        return self.response(201, result=services.coupon_summary(coupon))

    @expose("/rules/<int:rule_id>/purchase", methods=["POST"])
    @member_required
    @member_idempotent
    def purchase(self, rule_id: int):
        """Buy an electronic coupon at its sale price (stored value, or a paid WeChat/Alipay reference).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: PurchaseIn
          responses:
            201:
              description: the bought coupon
              x-result: CouponOut
          x-error-codes: [COUPON_RULE_NOT_FOUND, COUPON_RULE_NOT_AUDITED, COUPON_RULE_DISABLED,
            COUPON_RULE_EXPIRED, COUPON_RULE_NOT_ELECTRONIC, COUPON_NOT_CLAIMABLE, COUPON_NOT_FOR_SALE,
            COUPON_PAYMENT_METHOD_INVALID, COUPON_PAYMENT_REF_REQUIRED, INSUFFICIENT_BALANCE,
            COUPON_LIMIT_REACHED, COUPON_SOLD_OUT, COUPON_CLAIM_CLOSED]
        """
        data = json_body(PurchaseIn())
        coupon = services.purchase_coupon(
            rule_id,
            g.member,
            data["payment_method"],
            data["payment_ref"],
            app_id=get_setting("coupons.mall_app_id") or "",
        )
        return self.response(201, result=services.coupon_summary(coupon))

    @expose("/<string:code>/transfer", methods=["POST"])
    @member_required
    @member_idempotent
    def transfer(self, code: str):
        """Give one of the member's coupons to a friend (when the rule allows it).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: TransferIn
          responses:
            200:
              description: the coupon, now the friend's
              x-result: CouponOut
          x-error-codes: [COUPON_NOT_FOUND, COUPON_NOT_TRANSFERABLE, COUPON_STATUS_INVALID, COUPON_EXPIRED,
            COUPON_FRIEND_NOT_FOUND, COUPON_TRANSFER_TO_SELF, INVALID_PHONE]
        """
        data = json_body(TransferIn())
        coupon = services.transfer_coupon(code, g.member, data["phone"])
        return self.response(200, result=services.coupon_summary(coupon))

    @expose("/recharge", methods=["POST"])
    @member_required
    @member_idempotent
    def recharge(self):
        """Top up the member's stored value with a recharge voucher number (充值券).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: VoucherRechargeIn
          responses:
            201:
              description: the redemption and the new balance
              x-result: RedemptionOut
          x-error-codes: [COUPON_NOT_FOUND, COUPON_NOT_RECHARGE, COUPON_ALREADY_REDEEMED, COUPON_NOT_ISSUED,
            COUPON_EXPIRED, COUPON_VOID, COUPON_NOT_YET_VALID, COUPON_STORE_NOT_ALLOWED]
        """
        data = json_body(VoucherRechargeIn())
        redemption = services.recharge_with_voucher(data["code"], g.member)
        return self.response(201, result=_redeem_result(redemption))

    @expose("/bind", methods=["POST"])
    @member_required
    @member_idempotent
    def bind(self):
        """Bind a gift coupon to the logged-in member with the token of its QR code.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: BindIn
          responses:
            200:
              description: the coupon, now the member's
              x-result: CouponOut
          x-error-codes: [GIFT_TOKEN_INVALID, GIFT_TOKEN_USED, GIFT_TOKEN_EXPIRED, COUPON_NOT_FOUND,
            COUPON_NOT_GIFTABLE]
        """
        data = json_body(BindIn())
        coupon = gift.bind_gift(data["token"], g.member)
        return self.response(200, result=services.coupon_summary(coupon))

    @expose("/bind/<string:token>", methods=["GET"])
    def bind_page(self, token: str):
        """Where the QR code points: the mall app opens it and POSTs the token to /bind.
        ---
        get:
          responses:
            200:
              description: the token and where to POST it
              x-result: BindPageOut
        """
        return self.response(200, result={"token": token, "bind": url_for("MallCouponsApi.bind")})

    @expose("/gift-qr/<string:token>.png", methods=["GET"])
    def gift_qr(self, token: str):
        """The QR code of a gift binding URL as a PNG image.
        ---
        get:
          responses:
            200:
              description: the QR code
              content:
                image/png:
                  schema: {type: string, format: binary}
        """
        from flask import Response

        url = url_for("MallCouponsApi.bind_page", token=token, _external=True)
        return Response(images.qr_png(url), mimetype="image/png")
