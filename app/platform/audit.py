"""Audit trail of who changed what; written in the caller's transaction."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.extensions import db
from app.platform.models import AuditLog


def audit(action: str, object_type: str, object_id, user=None, **detail) -> None:
    if user is None:
        from app.actor import acting_user

        candidate = acting_user()
        user = candidate if getattr(candidate, "is_authenticated", False) else None
    db.session.add(
        AuditLog(
            user_id=getattr(user, "id", None),
            username=getattr(user, "username", "") or "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail or None,
        )
    )


def current_user_id():
    try:
        from app.actor import acting_user

        user = acting_user()
        if getattr(user, "is_authenticated", False):
            return user.id
    except Exception:  # no login manager (CLI, jobs)
        return None
    return None


class Audited:
    """Who created/changed a business row and when (None for CLI/system writes)."""

    @declared_attr
    def created_on(cls) -> Mapped[datetime]:
        return mapped_column(DateTime, default=datetime.now, nullable=False)

    @declared_attr
    def changed_on(cls) -> Mapped[datetime]:
        return mapped_column(DateTime, default=datetime.now, onupdate=datetime.now, nullable=False)

    @declared_attr
    def created_by_fk(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("ab_user.id"), default=current_user_id)

    @declared_attr
    def changed_by_fk(cls) -> Mapped[int | None]:
        return mapped_column(
            ForeignKey("ab_user.id"), default=current_user_id, onupdate=current_user_id
        )
