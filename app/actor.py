"""Who acts in this request: the one helper the security manager, the audit log and the
services share (it imports nothing of the app, so the lowest layers may use it)."""

from __future__ import annotations

from flask import g, has_request_context
from flask_login import current_user


def acting_user():
    """The user of this request: session login (admin) or bearer token (API).

    FAB puts both in ``g.user``; flask-login's ``current_user`` only knows sessions.
    """
    if has_request_context():
        user = g.get("user")
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return current_user
    return None
