"""Message center services: post messages to users, mark them read, delete them.

``post_message`` and ``notify_hq`` never commit (they join the caller's
transaction); ``mark_read`` and ``delete_messages`` own theirs.  A user only
ever touches their own messages: ids of other users' messages are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.messages.models import Message
from app.roles import ADMIN, MERCHANT
from app.unit_of_work import unit_of_work

HQ_NOTIFY_ROLES = (ADMIN, MERCHANT)


def _clean_ids(ids: Iterable) -> list[int]:
    clean = set()
    for raw in ids or ():
        try:
            clean.add(int(raw))
        except (TypeError, ValueError):
            continue
    return sorted(clean)


def post_message(user_ids: Iterable[int], title: str, body: str = "", kind: str = "notice") -> list[Message]:
    """Add one message per distinct user id to the session (no commit)."""
    messages = [
        Message(user_id=user_id, title=title[:200], body=body or "", kind=kind, is_read=False)
        for user_id in dict.fromkeys(user_ids)
    ]
    db.session.add_all(messages)
    return messages


def hq_user_ids() -> list[int]:
    """Ids of every active user holding the Admin or Merchant role."""
    query = (
        select(User.id)
        .join(User.roles)
        .where(Role.name.in_(HQ_NOTIFY_ROLES), User.active.is_(True))
        .distinct()
        .order_by(User.id)
    )
    return list(db.session.execute(query).scalars())


def notify_hq(title: str, body: str) -> None:
    """Post a message to every active Admin/Merchant user (no commit)."""
    post_message(hq_user_ids(), title, body, kind="hq")


def mark_read(user, ids: Iterable) -> int:
    """Mark ``user``'s own messages among ``ids`` as read; returns how many changed."""
    clean = _clean_ids(ids)
    if not clean or user is None:
        return 0
    with unit_of_work():
        result = db.session.execute(
            update(Message)
            .where(Message.user_id == user.id, Message.id.in_(clean), Message.is_read.is_(False))
            .values(is_read=True)
            .execution_options(synchronize_session="fetch")
        )
    return result.rowcount or 0


def delete_messages(user, ids: Iterable) -> int:
    """Delete ``user``'s own messages among ``ids``; returns how many were deleted."""
    clean = _clean_ids(ids)
    if not clean or user is None:
        return 0
    with unit_of_work():
        result = db.session.execute(
            delete(Message)
            .where(Message.user_id == user.id, Message.id.in_(clean))
            .execution_options(synchronize_session="fetch")
        )
    return result.rowcount or 0


def unread_count(user) -> int:
    if user is None or getattr(user, "id", None) is None:
        return 0
    return db.session.execute(
        select(func.count(Message.id)).where(Message.user_id == user.id, Message.is_read.is_(False))
    ).scalar_one()
