"""Settlement (F3.11): paying the customer of a quoted trade-in, by the order's settlement method.

- ``payment_code`` (回收收款码): the store shows a QR code (amount, expiry) that the customer
  scans to receive the money; receiving it moves the order quoted → paid.  An expired code
  can be issued again; a received one never twice.
- ``purchase_credit``: the customer takes the price as a credit against a new purchase at
  the store; issuing it moves the order quoted → paid, and the ``recycle_credit`` tender
  (``plugins.recycle.tender``) spends it once on a POS sale, never more than its amount.

One ``RecycleSettlement`` per order (a unique order id): the customer is never paid twice.
Every money move is a guarded ``UPDATE … WHERE status = :expected``.  Then ``complete``
moves paid → completed.  All state changes go through ``services.transition``.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.platform.settings import get_setting
from app.unit_of_work import unit_of_work
from plugins.recycle.models import (
    COMPLETED,
    PAID,
    PAYMENT_CODE,
    PURCHASE_CREDIT,
    QUOTED,
    RecycleOrder,
    RecycleSettlement,
)
from plugins.recycle.services import transition

SALT = "recycle.payment-code"
CREDIT_PREFIX = "RC"
CREDIT_DIGITS = 14


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def payment_code_token(settlement: RecycleSettlement) -> str:
    """The signed text of the payment code's QR (its expiry is checked in the database)."""
    return _serializer().dumps({"t": settlement.token_id})


def settlement_of(order_id: int) -> RecycleSettlement | None:
    return db.session.scalar(select(RecycleSettlement).where(RecycleSettlement.order_id == order_id))


def _already_paid() -> DomainError:
    return DomainError("RECYCLE_ALREADY_PAID", _l("This trade-in has been paid already."))


def _quoted(order: RecycleOrder) -> None:
    if order.state != QUOTED or not order.quote_fen:
        if order.state in (PAID, COMPLETED):
            raise _already_paid()
        raise DomainError("RECYCLE_STATE_INVALID", _l("The trade-in order's state does not allow this."),
                          state=order.state)


def settle(order: RecycleOrder, actor) -> RecycleSettlement:
    """Pay the customer of the quoted ``order`` by its settlement method; commits.

    Payment code: a code valid for ``recycle.payment_code_minutes`` (the order stays quoted
    until the customer receives it; asking again while it is valid shows the same code, after
    it expired a new one).  Purchase credit: the credit, and the order is paid.
    """
    if order.settlement_method == PURCHASE_CREDIT:
        return issue_credit(order, actor)
    return issue_payment_code(order, actor)


def issue_payment_code(order: RecycleOrder, actor) -> RecycleSettlement:
    minutes = int(get_setting("recycle.payment_code_minutes"))
    now = datetime.now()
    values = dict(token_id=uuid.uuid4().hex, expires_on=now + timedelta(minutes=minutes),
                  amount_fen=order.quote_fen, created_by_id=getattr(actor, "id", None))
    with unit_of_work():
        _quoted(order)
        existing = settlement_of(order.id)
        if existing is None:
            settlement = RecycleSettlement(order_id=order.id, store_id=order.store_id, method=PAYMENT_CODE,
                                           status="pending", created_on=now, **values)
            db.session.add(settlement)
            _flush_once()
            return settlement
        if existing.status != "pending":
            raise _already_paid()
        if existing.expires_on > now and existing.amount_fen == order.quote_fen:
            return existing
        renewed = db.session.execute(  # expired (or the price changed by a re-quote): a new code
            update(RecycleSettlement)
            .where(RecycleSettlement.id == existing.id, RecycleSettlement.status == "pending")
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if renewed != 1:
            raise _already_paid()
        db.session.refresh(existing)
        return existing


def _flush_once() -> None:
    """Flush a new settlement; a concurrent twin for the same order (unique order id) loses."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise _already_paid() from exc


def payment_code_settlement(token: str) -> RecycleSettlement:
    """The settlement a scanned payment code names (forged or unknown: ``RECYCLE_PAYMENT_CODE_INVALID``)."""
    try:
        data = _serializer().loads(token or "")
    except (BadSignature, ValueError, TypeError) as exc:
        raise _invalid_code() from exc
    token_id = data.get("t") if isinstance(data, dict) else None
    settlement = db.session.scalar(select(RecycleSettlement).where(RecycleSettlement.token_id == token_id)) \
        if isinstance(token_id, str) else None
    if settlement is None:
        raise _invalid_code()
    return settlement


def _invalid_code() -> DomainError:
    return DomainError("RECYCLE_PAYMENT_CODE_INVALID", _l("This payment code is not valid."))


def receive_payment(token: str) -> RecycleSettlement:
    """The customer scanned the payment code and received the money: paid, once; commits."""
    with unit_of_work():
        settlement = payment_code_settlement(token)
        now = datetime.now()
        received = db.session.execute(
            update(RecycleSettlement)
            .where(RecycleSettlement.id == settlement.id, RecycleSettlement.status == "pending",
                   RecycleSettlement.token_id == settlement.token_id, RecycleSettlement.expires_on > now)
            .values(status="paid", paid_on=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if received != 1:
            db.session.refresh(settlement)
            if settlement.status != "pending":
                raise _already_paid()
            raise DomainError("RECYCLE_PAYMENT_CODE_EXPIRED",
                              _l("This payment code has expired: ask the store for a new one."))
        transition(settlement.order_id, PAID, None, note="payment code received", paid_at=now)
    db.session.refresh(settlement)
    return settlement


def issue_credit(order: RecycleOrder, actor) -> RecycleSettlement:
    """The purchase credit of the quoted ``order`` (its price), and the order paid; commits."""
    now = datetime.now()
    with unit_of_work():
        _quoted(order)
        if settlement_of(order.id) is not None:
            raise _already_paid()
        settlement = RecycleSettlement(
            order_id=order.id, store_id=order.store_id, method=PURCHASE_CREDIT, status="paid",
            amount_fen=order.quote_fen, credit_code=_new_credit_code(), paid_on=now, created_on=now,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(settlement)
        _flush_once()
        transition(order.id, PAID, actor, note="purchase credit issued", paid_at=now)
    return settlement


def _new_credit_code() -> str:
    return CREDIT_PREFIX + "".join(secrets.choice("0123456789") for _ in range(CREDIT_DIGITS))


def _credit_not_found() -> DomainError:
    return DomainError("RECYCLE_CREDIT_NOT_FOUND", _l("Unknown trade-in credit (or one of another store)."))


def spend_credit(code: str, store_id: int, amount_fen: int, order_no: str) -> RecycleSettlement:
    """Spend the credit ``code`` on sale ``order_no`` at ``store_id``: once, at most its amount.
    Inside the sale's transaction (joins it, no commit of its own)."""
    code = (code or "").strip().upper()
    with unit_of_work():
        settlement = None
        if code:
            settlement = db.session.scalar(
                select(RecycleSettlement).where(RecycleSettlement.credit_code == code))
        if settlement is None or settlement.store_id != store_id:
            raise _credit_not_found()
        if amount_fen > settlement.amount_fen:
            raise DomainError("RECYCLE_CREDIT_AMOUNT_TOO_LARGE",
                              _l("The payment is more than the trade-in credit."),
                              credit_fen=settlement.amount_fen)
        spent = db.session.execute(
            update(RecycleSettlement)
            .where(RecycleSettlement.id == settlement.id, RecycleSettlement.status == "paid",
                   RecycleSettlement.amount_fen >= amount_fen)
            .values(status="used", used_fen=amount_fen, used_order_no=order_no, used_on=datetime.now())
            .execution_options(synchronize_session=False)
        ).rowcount
        if spent != 1:
            raise DomainError("RECYCLE_CREDIT_USED", _l("The trade-in credit was used already."))
    return settlement


def restore_credit(code: str, order_no: str) -> None:
    """A return that refunds the whole credit payment of sale ``order_no`` gives the credit back."""
    db.session.execute(
        update(RecycleSettlement)
        .where(RecycleSettlement.credit_code == code, RecycleSettlement.status == "used",
               RecycleSettlement.used_order_no == order_no)
        .values(status="paid", used_fen=0, used_order_no=None, used_on=None)
        .execution_options(synchronize_session=False)
    )


def complete(order: RecycleOrder, actor) -> RecycleOrder:
    """Paid → completed (the trade-in is done); commits."""
    with unit_of_work():
        return transition(order.id, COMPLETED, actor)


def settlement_summary(settlement: RecycleSettlement | None, *, with_token: bool = False) -> dict | None:
    """What the API and pages show of a settlement (the credit code and payment-code token only
    to those who may hand them to the customer: ``with_token``)."""
    if settlement is None:
        return None
    data = {
        "method": settlement.method,
        "status": settlement.status,
        "amount_fen": settlement.amount_fen,
        "expires_on": settlement.expires_on.isoformat(timespec="seconds") if settlement.expires_on else None,
        "paid_on": settlement.paid_on.isoformat(timespec="seconds") if settlement.paid_on else None,
        "used_fen": settlement.used_fen,
        "used_order_no": settlement.used_order_no,
    }
    if with_token:
        data["credit_code"] = settlement.credit_code
        data["payment_code"] = payment_code_token(settlement) \
            if settlement.method == PAYMENT_CODE and settlement.status == "pending" else None
    return data
