"""Customers' WeCom friendships with guides, as the callback recorded them."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.members.models import Member
from plugins.wecom_guide.models import WeComContact


def member_by_unionid(unionid: str) -> Member | None:
    """The member an earlier friendship with this WeChat unionid was matched to (the newest)."""
    if not unionid:
        return None
    return db.session.scalar(
        select(Member)
        .join(WeComContact, WeComContact.member_id == Member.id)
        .where(WeComContact.unionid == unionid)
        .order_by(WeComContact.added_at.desc())
        .limit(1)
    )


def friends_of(member_id: int) -> list[WeComContact]:
    return list(
        db.session.scalars(
            select(WeComContact).where(WeComContact.member_id == member_id, WeComContact.status == "friend")
        )
    )
