"""Who sees which member: a guide sees only their own members (``retail_member_filters``).

An account whose store roles are only Guide sees, on every member path of the core (admin
member list and detail, search, exports, POS look-ups), only the members it is the dedicated
guide of (setting ``wecom_guide.own_members_only``, on by default). HQ, store managers and
cashiers are not narrowed. The workbench's own queries (my members, the pool) say exactly
what they want and turn this filter off for their call (``own_filter_off``), keeping every
other plugin's criteria (privacy, share groups).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import false

from app.members.models import Member
from app.platform.settings import get_setting
from app.roles import ADMIN, CASHIER, GUIDE, MERCHANT, POS, SERVICE_PROVIDER, STORE_MANAGER
from app.security import current_staff, user_role_names
from plugins.wecom_guide.ownership import owned_member_ids
from plugins.wecom_guide.settings import OWN_MEMBERS_ONLY

WIDER_ROLES = frozenset({ADMIN, MERCHANT, STORE_MANAGER, CASHIER, POS, SERVICE_PROVIDER})
_OFF: ContextVar[bool] = ContextVar("wecom_guide_own_filter_off", default=False)


@contextmanager
def own_filter_off() -> Iterator[None]:
    token = _OFF.set(True)
    try:
        yield
    finally:
        _OFF.reset(token)


def is_guide_only(viewer) -> bool:
    roles = user_role_names(viewer)
    return GUIDE in roles and not roles & WIDER_ROLES


def member_filters(viewer, context) -> list:
    if _OFF.get() or context.get("purpose") == "mall" or not getattr(viewer, "is_authenticated", False):
        return []
    if not is_guide_only(viewer) or not get_setting(OWN_MEMBERS_ONLY):
        return []
    staff = current_staff(viewer)
    if staff is None:
        return [false()]
    return [Member.id.in_(owned_member_ids(staff.id))]
