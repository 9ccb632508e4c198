"""Helpers of the points reset tests (points_mall plugin): members holding points, ledger checks."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db


def make_member(store_code: str | None = "S001", points: int = 0, level_code: str | None = None,
                earned_on: datetime | None = None) -> int:
    """An active member of ``store_code`` holding ``points`` (one ``earn`` ledger row, dated
    ``earned_on`` when given); committed. Call inside an app context."""
    from app.loyalty.models import PointsTxn
    from app.loyalty.services import change_points
    from app.members.models import Member, MemberLevel
    from app.org.models import Store

    store = db.session.scalars(select(Store).where(Store.code == store_code)).one() if store_code else None
    level = db.session.scalars(select(MemberLevel).where(MemberLevel.code == level_code)).one() \
        if level_code else None
    member = Member(member_no=f"RS{secrets.token_hex(6).upper()}", phone=f"136{secrets.randbelow(10**8):08d}",
                    name="清零会员", home_store_id=store.id if store else None, status="active",
                    level_id=level.id if level else None)
    db.session.add(member)
    db.session.flush()
    if points:
        txn = change_points(member.id, points, "earn", "TEST-EARN", None, note="test earn")
        if earned_on is not None:
            db.session.execute(PointsTxn.__table__.update().where(PointsTxn.__table__.c.id == txn.id)
                               .values(created_on=earned_on))
    db.session.commit()
    return member.id


def earn(member_id: int, points: int, on: datetime | None = None) -> None:
    from app.loyalty.models import PointsTxn
    from app.loyalty.services import change_points

    txn = change_points(member_id, points, "earn", "TEST-EARN", None, note="test earn")
    if on is not None:
        db.session.execute(PointsTxn.__table__.update().where(PointsTxn.__table__.c.id == txn.id)
                           .values(created_on=on))
    db.session.commit()


def balance(member_id: int) -> int:
    from app.loyalty.services import points_balance

    db.session.expire_all()
    return points_balance(member_id)


def ledger_sum(member_id: int) -> int:
    from app.loyalty.models import PointsTxn

    return db.session.scalar(select(func.coalesce(func.sum(PointsTxn.points), 0))
                             .where(PointsTxn.member_id == member_id))


def reset_rows(member_id: int) -> list:
    """The member's ``reset`` ledger rows (oldest first)."""
    from app.loyalty.models import PointsTxn

    return db.session.scalars(select(PointsTxn).where(PointsTxn.member_id == member_id,
                                                      PointsTxn.kind == "reset").order_by(PointsTxn.id)).all()


def positive_balances() -> dict[int, int]:
    """``{member id: points}`` of every member holding points."""
    from app.loyalty.models import PointsAccount

    return dict(db.session.execute(select(PointsAccount.member_id, PointsAccount.balance)
                                   .where(PointsAccount.balance > 0)).all())


def start_reset(reason="年度积分清零", remark="", scope="all", level_id=None, store_ids=None,
                earned_before=None, user=None):
    """Parse the form values and queue the reset (runs at once in tests: immediate jobs)."""
    from plugins.points_mall.reset.services import parse_reset_form, request_reset

    params = parse_reset_form({"reason": reason, "remark": remark, "scope": scope,
                               "level_id": str(level_id or ""),
                               "store_ids": [str(s) for s in store_ids or []],
                               "earned_before": earned_before or ""})
    return request_reset(params, user=user)
