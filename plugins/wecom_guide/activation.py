"""Member activation (F4.16): a member registered at the POS stays inactive until they open
the activation link (sent in the WeCom welcome message) and confirm, or log in to the mall
with an SMS code. Each activation is recorded once (``wecom_guide_activation``).

The link carries a signed, expiring token (``itsdangerous``, the app's SECRET_KEY, its own
salt) naming the member; opening it shows a confirmation page (a link preview fetching the
URL activates nothing), the confirmation activates.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.platform.audit import audit
from app.platform.settings import get_setting
from app.unit_of_work import unit_of_work
from plugins.wecom_guide.models import Activation
from plugins.wecom_guide.search_copy import copy_status
from plugins.wecom_guide.settings import ACTIVATION_DAYS, PUBLIC_URL

SALT = "wecom_guide.activation"
PATH = "/wecom-guide/activate/"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def activation_token(member: Member) -> str:
    return _serializer().dumps({"m": member.id})


def activation_url(member: Member) -> str:
    """The absolute activation link of ``member`` (the welcome message carries it)."""
    base = (get_setting(PUBLIC_URL) or "").strip().rstrip("/")
    if not base and has_request_context():
        base = request.host_url.rstrip("/")
    return f"{base}{PATH}{activation_token(member)}"


def member_for_token(token: str) -> Member:
    """The member of a valid token, else ``ACTIVATION_LINK_INVALID`` (404)."""
    max_age = int(get_setting(ACTIVATION_DAYS)) * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        data = None
    member_id = data.get("m") if isinstance(data, dict) else None
    member = db.session.get(Member, member_id) if isinstance(member_id, int) else None
    if member is None:
        raise DomainError("ACTIVATION_LINK_INVALID", _l("This activation link is invalid or has expired."))
    return member


def activate_member(member_id: int, method: str) -> bool:
    """Activate an inactive member and record how (once): True if activated now. A frozen or
    already active member is left as it is. Commits unless inside an outer unit of work."""
    with unit_of_work():
        changed = db.session.execute(
            update(Member)
            .where(Member.id == member_id, Member.status == "inactive")
            .values(status="active", activated_on=datetime.now())
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            return False
        copy_status(member_id)
        try:
            with db.session.begin_nested():
                db.session.add(Activation(member_id=member_id, method=method))
                db.session.flush()
        except IntegrityError:  # recorded already (activated, frozen and thawed): keep the first
            pass
        audit("wecom_guide.activate", "member", member_id, method=method)
    member = db.session.get(Member, member_id)
    if member is not None:
        db.session.refresh(member)
    return True


def activation_of(member_id: int) -> Activation | None:
    return db.session.scalar(select(Activation).where(Activation.member_id == member_id))
