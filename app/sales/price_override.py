"""Price overrides at the POS: a line sold below its list price (a typed price, a line
discount or its share of the order discount) beyond ``sales.price_override_max_percent``
needs the ``can_override_price`` grant on ``PosOrders`` (store managers, HQ) — held by the
cashier, or by a manager of the store who approves the sale with their login on the till.
Each line records its list price and, when it went beyond the limit, who approved it.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.errors import DomainError
from app.extensions import db
from app.platform.settings import get_setting
from app.ratelimit import login_attempt_allowed
from app.roles import ADMIN
from app.security import scoped_store_id, user_role_names

LIMIT_SETTING = "sales.price_override_max_percent"
PERMISSION = "can_override_price"
RESOURCE = "PosOrders"


def limit_percent() -> int:
    return int(get_setting(LIMIT_SETTING) or 0)


def beyond_limit(list_amount: int, sold_amount: int, limit: int) -> bool:
    """Below the list amount by more than ``limit`` percent (integer arithmetic, no rounding)."""
    return (list_amount - sold_amount) * 100 > limit * list_amount


def may_override(user) -> bool:
    """Holds the grant (Admin holds every grant)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if ADMIN in user_role_names(user):
        return True
    role_ids = [role.id for role in user.roles]
    return current_app.appbuilder.sm.exist_permission_on_roles(RESOURCE, PERMISSION, role_ids)


def _approver(approval: dict, store_id: int):
    """The active user named in ``approval`` whose password matches, who holds the grant and
    works at ``store_id`` (or at HQ); else ``PRICE_APPROVAL_INVALID`` (one answer for every cause).
    Each attempt counts against the login limit of the account and the till's address."""
    invalid = DomainError("PRICE_APPROVAL_INVALID",
                          _l("The approval is not valid: a store manager of this store must approve."))
    username = (approval.get("username") or "").strip()
    password = approval.get("password") or ""
    if not login_attempt_allowed(username):  # a password check: it counts like a login
        raise DomainError("RATE_LIMITED", _l("Too many requests; wait a moment and try again."))
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    if user is None or not user.active or not user.password:
        raise invalid
    if not check_password_hash(user.password, password):
        raise invalid
    if not may_override(user) or scoped_store_id(user) not in (None, store_id):
        raise invalid
    return user


def approving_user_id(user, approval: dict | None, store_id: int) -> int:
    """Who approves the lines beyond the limit: the caller if they hold the grant, else the
    approver of ``approval``; refused with ``PRICE_OVERRIDE_NOT_ALLOWED`` without either."""
    if approval:
        return _approver(approval, store_id).id
    if may_override(user):
        return user.id
    raise DomainError(
        "PRICE_OVERRIDE_NOT_ALLOWED",
        _l("This price or discount is below the list price by more than %(limit)s%%: "
           "a store manager must approve it.", limit=limit_percent()),
    )
