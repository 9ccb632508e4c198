"""The ownership row's copies of a member's search keys: ``phone_last4``, ``last_purchase_on``,
``paid_total_fen``, ``level_id`` and ``member_status``.

The guide workbench searches by them on the guide's own rows (indexes led by the guide), so a
search reads the guide's few thousand rows at most, never every member nor every order.

Kept right:
- a new ownership row copies both (``models._copy_search_keys``, whatever inserts it);
- a member's phone, paid total, level or status changed through the ORM: the copies follow in
  the same flush (``models._follow_member``); activation's own UPDATE: ``copy_status``;
- a sale: ``note_purchase`` in the sale's transaction (``retail_order_paid``); a return:
  ``note_return`` in the return's (``retail_order_returned``);
- sales booked while the plugin was off (no hook is called then): ``refresh_search_copies``,
  the job ``wecom_guide.refresh_search_copies``, run once after turning the plugin back on.
"""

from __future__ import annotations

from sqlalchemy import case, func, or_, select, update

from app.extensions import db
from app.members.models import Member
from app.sales.models import Order
from app.unit_of_work import unit_of_work
from plugins.wecom_guide.models import GuideMember


def _paid_total(member_id):
    return select(Member.paid_total_fen).where(Member.id == member_id).scalar_subquery()


def copy_status(member_id: int) -> None:
    """After an UPDATE of the member's status outside the ORM (activation)."""
    db.session.execute(
        update(GuideMember)
        .where(GuideMember.member_id == member_id)
        .values(member_status=select(Member.status).where(Member.id == member_id).scalar_subquery())
        .execution_options(synchronize_session=False)
    )


def note_purchase(order: Order) -> None:
    """The order's member, if it has an ownership row, last purchased at the order's time and
    has the paid total the sale left (one UPDATE, inside the sale's transaction; none for a
    sale without a member)."""
    if order.member_id is None:
        return
    latest = func.coalesce(GuideMember.last_purchase_on, order.created_on)
    db.session.execute(
        update(GuideMember)
        .where(GuideMember.member_id == order.member_id)
        .values(
            last_purchase_on=case((latest < order.created_on, order.created_on), else_=latest),
            paid_total_fen=_paid_total(order.member_id),
        )
        .execution_options(synchronize_session=False)
    )


def note_return(order: Order) -> None:
    """A return lowered the member's paid total: the ownership row's copy follows (one UPDATE)."""
    if order.member_id is None:
        return
    db.session.execute(
        update(GuideMember)
        .where(GuideMember.member_id == order.member_id)
        .values(paid_total_fen=_paid_total(order.member_id))
        .execution_options(synchronize_session=False)
    )


def refresh_search_copies() -> int:
    """Copy every ownership row's keys again from the members and their orders (set-based);
    returns how many rows were out of date."""
    latest = (
        select(func.max(Order.created_on)).where(Order.member_id == GuideMember.member_id).scalar_subquery()
    )
    phone = select(Member.phone).where(Member.id == GuideMember.member_id).scalar_subquery()
    last4 = func.substr(phone, func.length(phone) - 3)  # the same on SQLite and PostgreSQL
    paid = _paid_total(GuideMember.member_id)
    level = select(Member.level_id).where(Member.id == GuideMember.member_id).scalar_subquery()
    status = select(Member.status).where(Member.id == GuideMember.member_id).scalar_subquery()
    with unit_of_work():
        changed = db.session.execute(
            update(GuideMember)
            .where(
                or_(
                    GuideMember.phone_last4.is_distinct_from(last4),
                    GuideMember.last_purchase_on.is_distinct_from(latest),
                    GuideMember.paid_total_fen.is_distinct_from(paid),
                    GuideMember.level_id.is_distinct_from(level),
                    GuideMember.member_status.is_distinct_from(status),
                )
            )
            .values(phone_last4=last4, last_purchase_on=latest, paid_total_fen=paid, level_id=level,
                    member_status=status)
            .execution_options(synchronize_session=False)
        ).rowcount
    return changed


def refresh_search_copies_job(job) -> None:
    job.message = f"{refresh_search_copies()} ownership rows brought up to date"
