"""Stored value and points ledgers: the balance always equals the sum of the ledger.

A change is one guarded ``UPDATE … SET balance = balance + :a WHERE … AND
balance + :a >= 0 RETURNING balance`` plus one ledger row, in the caller's
transaction: concurrent requests can neither overdraw nor lose an update.
"""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.sql.dml import Update

from app.docnumbers.services import next_doc_no, next_store_doc_no
from app.errors import DomainError
from app.extensions import core_execute, db
from app.formatting import check_yuan_range, parse_yuan, yuan
from app.loyalty.accounts import account_id_of
from app.loyalty.models import (
    POINTS_KINDS,
    SV_KINDS,
    PointsAccount,
    PointsTxn,
    StoredValueAccount,
    StoredValueTxn,
)
from app.loyalty.stored_value_write import write_change
from app.members.models import Member
from app.messages.sms import send_sms
from app.platform.audit import audit
from app.platform.settings import get_setting
from app.plugins import plugin_host
from app.unit_of_work import unit_of_work

RECHARGE_MAX_FEN = 10_000_000  # 100,000 yuan per recharge


def _require_int(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise DomainError(
            "INVALID_AMOUNT", _l("%(field)s must be a non-zero whole number.", field=field)
        )
    return value


def _member(member_id) -> Member:
    member = db.session.get(Member, member_id) if isinstance(member_id, int) else None
    if member is None:
        raise DomainError("MEMBER_NOT_FOUND", _l("Member not found."))
    return member


def _guarded_add(account_model, balance_column, account_id: int, delta: int) -> int | None:
    """Add ``delta`` to an account balance in one statement unless it would go negative.

    Returns the new balance, or None when refused.  Never read-modify-write:
    concurrent requests queue on the row lock and each sees the latest balance.
    """
    table = account_model.__table__
    balance = table.c[balance_column.key]
    return core_execute(
        update(table)
        .where(table.c.id == account_id, balance + delta >= 0)
        .values({balance: balance + delta})
        .returning(balance)
    ).scalar()


def change_stored_value(
    member_id: int,
    amount_fen: int,
    kind: str,
    doc_no: str | None,
    store_id: int | None,
    staff_id: int | None = None,
    note: str = "",
    txn_no: str | None = None,
    only_if: tuple[Update, DomainError, dict] | None = None,
) -> StoredValueTxn:
    """Move a member's stored value by ``amount_fen`` (signed) with a ledger row (no commit).

    ``txn_no`` defaults to a fresh ``SV`` number of the store; ``doc_no`` None: the row's own
    number.  ``only_if=(guarded UPDATE, refusal, its parameters)``: a caller's condition written
    with the change (e.g. a one-time code used up): the change happens only if that UPDATE
    changes a row, else ``refusal`` is raised.  Pass one module-level UPDATE with bind
    parameters (the change's statement is built once per UPDATE object) and give it every
    column it sets (Python-side ``onupdate`` defaults are not run inside the statement).  On
    PostgreSQL all of it is one statement (``app.loyalty.stored_value_write``).
    """
    amount_fen = _require_int(amount_fen, "amount_fen")
    if kind not in SV_KINDS:
        raise ValueError(f"unknown stored-value kind {kind!r}")
    member = _member(member_id)
    return write_change(member.id, amount_fen, kind, doc_no, store_id, staff_id, note, txn_no, only_if)


def change_points(
    member_id: int, points: int, kind: str, doc_no: str, store_id: int | None, note: str = ""
) -> PointsTxn:
    """Move a member's points by ``points`` (signed) with a ledger row (no commit)."""
    points = _require_int(points, "points")
    if kind not in POINTS_KINDS:
        raise ValueError(f"unknown points kind {kind!r}")
    member = _member(member_id)
    account_id = account_id_of(PointsAccount, member.id)
    balance = _guarded_add(PointsAccount, PointsAccount.balance, account_id, points)
    if balance is None:
        raise DomainError("INSUFFICIENT_POINTS", _l("The member does not have enough points."))
    txn = PointsTxn(
        account_id=account_id,
        member_id=member.id,
        kind=kind,
        points=points,
        balance_after=balance,
        doc_no=doc_no,
        store_id=store_id,
        note=(note or "")[:200],
    )
    db.session.add(txn)
    db.session.flush()
    return txn


def stored_value_balance(member_id: int) -> int:
    return db.session.scalar(
        select(StoredValueAccount.balance_fen).where(StoredValueAccount.member_id == member_id)
    ) or 0


def points_balance(member_id: int) -> int:
    return db.session.scalar(
        select(PointsAccount.balance).where(PointsAccount.member_id == member_id)
    ) or 0


def recharge_stored_value(member_id, amount_fen, store_id, staff_id, user=None) -> StoredValueTxn:
    """Recharge stored value at a store, with the SMS notice (F4.18), in one transaction (commits)."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or not (
        1 <= amount_fen <= RECHARGE_MAX_FEN
    ):
        raise DomainError(
            "INVALID_AMOUNT",
            _l("The recharge amount must be between 0.01 and %(max)s yuan.", max=yuan(RECHARGE_MAX_FEN)),
        )
    with unit_of_work():
        member = _member(member_id)
        if member.status == "frozen":
            raise DomainError("MEMBER_FROZEN", _l("This member is frozen."), status=409)
        refused = plugin_host().member_usable(
            member=member, store_id=store_id, purpose="stored_value"
        )
        if refused is not None:
            raise refused
        doc_no = next_store_doc_no("SV", store_id)  # the recharge is its own document
        txn = change_stored_value(
            member.id, amount_fen, "recharge", doc_no, store_id, staff_id=staff_id, txn_no=doc_no
        )
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):  # SMS: member's language
            body = gettext(
                "Your stored-value card was recharged with %(amount)s yuan; balance %(balance)s yuan.",
                amount=yuan(amount_fen),
                balance=yuan(txn.balance_after_fen),
            )
        send_sms(member.phone, "sv_recharge", body)
        audit("stored_value.recharge", "member", member.id, user=user, amount_fen=amount_fen,
              txn_no=txn.txn_no)
    return txn


ADJUST_MAX = 100_000_000  # 1,000,000.00 yuan of stored value, or 100 million points, per adjustment


def parse_adjustment(ledger: str, raw: str) -> int:
    """A signed adjustment typed by a person: stored value in yuan, read like every money field
    (``app.formatting.parse_yuan``: "12.5", "1,000", "-20", at most two decimals), returned in
    fen; or whole points.  Raises ``DomainError`` INVALID_AMOUNT."""
    if ledger not in ("stored_value", "points"):
        raise DomainError("VALIDATION_ERROR", _l("Choose stored value or points."))
    if ledger == "stored_value":
        try:
            value = check_yuan_range(parse_yuan(raw), -ADJUST_MAX, ADJUST_MAX)
        except ValueError as exc:
            raise DomainError("INVALID_AMOUNT", str(exc), field="amount") from None
    else:
        text = (raw or "").strip().replace(",", "").replace("，", "")
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            raise DomainError("INVALID_AMOUNT", _l("Enter a signed whole number of points, e.g. 50 or -20."),
                              field="amount")
        value = int(text)
    if value == 0 or abs(value) > ADJUST_MAX:
        raise DomainError("INVALID_AMOUNT",
                          _l("The adjustment must not be 0 and must stay within the limit."), field="amount")
    return value


def adjust_balance(member_id: int, ledger: str, delta: int, reason: str, user=None):
    """HQ correction of a member's stored value (fen) or points, with a reason (commits).

    One ledger row of kind ``adjust`` with its own document number; refused when it
    would take the balance below zero.
    """
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise DomainError("REASON_REQUIRED", _l("Give the reason for the adjustment (2 to 200 characters)."))
    if ledger not in ("stored_value", "points"):
        raise DomainError("VALIDATION_ERROR", _l("Choose stored value or points."))
    with unit_of_work():
        member = _member(member_id)
        if ledger == "stored_value":
            doc_no = next_doc_no("SV")
            txn = change_stored_value(member.id, delta, "adjust", doc_no, None, note=reason, txn_no=doc_no)
        else:
            doc_no = next_doc_no("PT")
            txn = change_points(member.id, delta, "adjust", doc_no, None, note=reason)
        audit(f"{ledger}.adjust", "member", member.id, user=user, delta=delta, doc_no=doc_no, reason=reason)
    return txn


# ---------------------------------------------------------------- points rules


def points_earned_for(paid_fen: int) -> int:
    """Points earned on a paid amount: whole yuan × ``loyalty.points_per_yuan``."""
    if paid_fen <= 0:
        return 0
    return (paid_fen // 100) * int(get_setting("loyalty.points_per_yuan"))


def check_points_redeem(points: int, order_total_fen: int, channel: str) -> int:
    """The discount (fen) ``points`` give on an order, or DomainError when not allowed."""
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise DomainError("INVALID_POINTS", _l("Points must be a whole number of at least 0."))
    if points == 0:
        return 0
    key = "loyalty.points_usable_online" if channel == "mall" else "loyalty.points_usable_pos"
    if channel not in ("pos", "mall") or not get_setting(key):
        raise DomainError("POINTS_NOT_USABLE", _l("Points cannot be used here."))
    discount = points * int(get_setting("loyalty.fen_per_point"))
    cap = max(order_total_fen, 0) * int(get_setting("loyalty.deduction_cap_percent")) // 100
    if discount > cap:
        raise DomainError(
            "POINTS_OVER_CAP",
            _l("Points may pay at most %(cap)s yuan of this order.", cap=yuan(cap)),
            max_discount_fen=cap,
        )
    return discount


def warn_if_large_consumption(member: Member, points: int, doc_no: str) -> bool:
    """Post a message to HQ when one document consumes more points than the threshold (no commit)."""
    threshold = int(get_setting("loyalty.points_warning_threshold"))
    if abs(points) <= threshold:
        return False
    from app.messages.services import notify_hq

    notify_hq(
        gettext("Large points consumption"),
        gettext(
            "Member %(member_no)s (%(name)s) used %(points)s points on %(doc_no)s.",
            member_no=member.member_no,
            name=member.name,
            points=abs(points),
            doc_no=doc_no,
        ),
    )
    return True
