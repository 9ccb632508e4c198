"""The ``coupon`` payment method: a coupon pays part of a POS sale inside its transaction."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import DomainError


class CouponTender:
    code = "coupon"
    label = _l("Coupon")
    member_purpose = "coupon"  # the member must be allowed to use coupons here (retail_member_usable)
    wallet_key = "coupons"  # the POS wallet lists the member's usable coupons (retail_member_wallet)

    def charge(self, order, payment) -> None:
        """Redeem the coupon named by the payment's ``code`` against this order (no commit)."""
        from plugins.coupons.services import redeem_coupon

        if not payment.reference:
            raise DomainError("COUPON_CODE_REQUIRED", _l("Give the coupon code with the coupon payment."))
        redemption = redeem_coupon(
            payment.reference,
            order.store_id,
            order.paid_fen,
            order_no=order.order_no,
            member_id=order.member_id,
            lines=list(order.lines),
            amount_fen=payment.amount_fen,
        )
        payment.reference = redemption.coupon.code

    def refund(self, order, payment, amount_fen: int, return_doc) -> None:
        """A return that refunds the whole coupon payment reverses the redemption (no commit).

        A partial return keeps the coupon redeemed: a coupon cannot be split.
        """
        from app.extensions import db
        from plugins.coupons.models import Coupon, Redemption
        from plugins.coupons.services import reverse_redemption

        if payment.refunded_fen + amount_fen < payment.amount_fen:
            return
        found = db.session.scalar(
            select(Redemption.redemption_no)
            .join(Coupon, Coupon.id == Redemption.coupon_id)
            .where(
                Redemption.order_no == order.order_no,
                Redemption.reversed.is_(False),
                Coupon.code == payment.reference,
            )
        )
        if found is not None:
            reverse_redemption(found, doc_no=return_doc.return_no)
