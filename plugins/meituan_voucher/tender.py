"""The ``meituan`` payment method of ``POST pos/orders``: the payment's ``code`` is the voucher code.

A voucher verified beforehand (``pos/meituan/consume``) is attached to the
sale; otherwise it is verified here, inside the sale, and reversed on the
platform if the sale then rolls back (``services._undo_on_rollback``).  A return reverses it (whole vouchers
only, within the platform's 10 minutes) or refuses the return.
"""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.actor import acting_user
from app.errors import DomainError
from app.extensions import db
from app.security import current_staff
from plugins.meituan_voucher.models import Verification
from plugins.meituan_voucher.services import (
    consume_voucher,
    deal_value,
    request_id_for,
    reverse_voucher,
    settle_pending_code,
)


def _sale_request_id(code: str) -> str:
    key = request.headers.get("Idempotency-Key", "").strip() if has_request_context() else ""
    return request_id_for(getattr(acting_user(), "id", None), key, f"order:{code}")


def _check_products(order, value: dict) -> None:
    sold = sum(line.qty for line in order.lines if line.sku.sku_code == value["sku_code"])
    if sold < value["qty"]:
        raise DomainError("MEITUAN_DEAL_PRODUCT_MISSING",
                          _l("This voucher is for %(qty)s × %(sku)s, which is not on the order.",
                             qty=value["qty"], sku=value["sku_code"]))


class MeituanTender:
    code = "meituan"
    label = _l("Meituan voucher")
    member_purpose = None  # a voucher is the bearer's: no member check
    wallet_key = None

    def charge(self, order, payment) -> None:
        code = (payment.reference or "").strip()
        if not code:
            raise DomainError("MEITUAN_CODE_REQUIRED",
                              _l("A Meituan payment needs the voucher code in `code`."))
        def live():
            return db.session.scalars(select(Verification).where(
                Verification.live_code == code, Verification.store_id == order.store_id)).one_or_none()

        row = live()
        if row is None and settle_pending_code(order.store_id, order.staff_id, code):
            row = live()  # an earlier attempt left it pending: Meituan says it is ours
        if row is None:
            row = consume_voucher(order.store_id, order.staff_id, code, 1, _sale_request_id(code),
                                  call_order_no=order.order_no)[0]
        value = deal_value(row.deal_id, row.price_fen)
        if value["mode"] == "product":
            _check_products(order, value)
        if payment.amount_fen <= 0:
            raise DomainError("MEITUAN_AMOUNT_INVALID", _l("A Meituan payment must be more than zero."))
        if payment.amount_fen > value["value_fen"]:
            raise DomainError("MEITUAN_AMOUNT_TOO_HIGH",
                              _l("This voucher pays at most %(value)s fen.", value=value["value_fen"]),
                              value_fen=value["value_fen"])
        attached = db.session.execute(
            update(Verification)
            .where(Verification.id == row.id, Verification.status == "consumed",
                   Verification.order_no.is_(None))
            .values(order_no=order.order_no, applied_fen=payment.amount_fen)
        )
        if attached.rowcount != 1:
            raise DomainError("MEITUAN_VOUCHER_USED",
                              _l("This voucher has already paid for another order."))
        payment.reference = code

    def refund(self, order, payment, amount_fen: int, return_doc) -> None:
        if amount_fen != payment.amount_fen - payment.refunded_fen:
            raise DomainError("MEITUAN_PARTIAL_RETURN",
                              _l("A Meituan voucher is reversed whole: return the whole order instead."))
        staff = current_staff()
        reverse_voucher(order.store_id, staff.id if staff else order.staff_id, payment.reference,
                        order_no=order.order_no)
