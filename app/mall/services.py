"""Mall (member) login: one-time SMS codes, member lookup/creation, member tokens.

Codes are stored only as an HMAC of phone + code; each is valid five minutes
and for at most ``MAX_ATTEMPTS`` tries.  Per phone, one code per minute and at
most ``DAILY_LIMIT`` codes per calendar day.  Member tokens are signed with
SECRET_KEY under their own salt, so they are not staff JWTs and vice versa.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from app.docnumbers.services import next_doc_no
from app.errors import DomainError
from app.extensions import db
from app.mall.models import MallLoginCode
from app.members.models import PHONE_PATTERN, Member
from app.messages.sms import send_sms
from app.platform.audit import audit
from app.plugins import plugin_host
from app.unit_of_work import unit_of_work

CODE_TTL = timedelta(minutes=5)
RESEND_INTERVAL = timedelta(seconds=60)
DAILY_LIMIT = 10
MAX_ATTEMPTS = 5
TOKEN_SALT = "retail-mall-member-token"
DEFAULT_TOKEN_MAX_AGE = 7 * 24 * 3600
SMS_TEMPLATE = "mall_login"

_PHONE = re.compile(PHONE_PATTERN)


def is_valid_phone(phone) -> bool:
    return isinstance(phone, str) and _PHONE.fullmatch(phone) is not None


def _code_hash(phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, f"mall-login:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _serialize_per_phone(phone: str) -> None:
    """Make concurrent requests for one phone queue up, so limits cannot be raced.

    PostgreSQL: a transaction-level advisory lock on the phone.  SQLite: a
    no-op write takes the database write lock before anything is read.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext("mall-login:" + phone))))
    else:
        db.session.execute(text("UPDATE mall_login_code SET attempts = attempts WHERE 1 = 0"))


def request_login_code(phone: str, now: datetime | None = None) -> int:
    """Create and send a login code for ``phone``; returns its lifetime in seconds. Commits."""
    if not is_valid_phone(phone):
        raise DomainError("INVALID_PHONE", _l("Enter a valid mainland mobile number."))
    now = now or datetime.now()
    with unit_of_work():
        _serialize_per_phone(phone)
        latest = db.session.execute(
            select(func.max(MallLoginCode.created_on)).where(MallLoginCode.phone == phone)
        ).scalar()
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        sent_today = db.session.execute(
            select(func.count(MallLoginCode.id)).where(
                MallLoginCode.phone == phone, MallLoginCode.created_on >= today
            )
        ).scalar_one()
        if (latest is not None and latest > now - RESEND_INTERVAL) or sent_today >= DAILY_LIMIT:
            raise DomainError(
                "MALL_CODE_TOO_FREQUENT",
                _l("Codes are requested too often for this number; try again later."),
            )
        code = f"{secrets.randbelow(1_000_000):06d}"
        db.session.add(
            MallLoginCode(
                phone=phone,
                code_hash=_code_hash(phone, code),
                attempts=0,
                expires_at=now + CODE_TTL,
                created_on=now,
            )
        )
        minutes = int(CODE_TTL.total_seconds() // 60)
        body = _("Your login code is %(code)s, valid for %(minutes)s minutes. Do not share it.",
                 code=code, minutes=minutes)
        send_sms(phone, SMS_TEMPLATE, body)
    return int(CODE_TTL.total_seconds())


def _invalid_code() -> DomainError:
    return DomainError("MALL_CODE_INVALID", _l("The code is wrong or has expired; request a new one."))


def verify_login_code(phone: str, code: str, now: datetime | None = None) -> Member:
    """Check the newest live code of ``phone``; on success return the (maybe new) member. Commits.

    Every try counts (a guarded UPDATE, safe under concurrency); the fifth
    failed try burns the code.
    """
    if not is_valid_phone(phone):
        raise DomainError("INVALID_PHONE", _l("Enter a valid mainland mobile number."))
    now = now or datetime.now()
    with unit_of_work():
        outcome = _use_login_code(phone, code, now)
        if not isinstance(outcome, DomainError):
            plugin_host().member_logged_in(outcome, "mall_sms")
    if isinstance(outcome, DomainError):  # refused after counting the try (committed)
        raise outcome
    return outcome


def _use_login_code(phone: str, code: str, now: datetime) -> Member | DomainError:
    """Count a try of the newest live code: the member, or the refusal to raise once the
    counted try is committed (a refusal raised here writes nothing)."""
    row = db.session.execute(
        select(MallLoginCode.id, MallLoginCode.code_hash)
        .where(
            MallLoginCode.phone == phone,
            MallLoginCode.used_at.is_(None),
            MallLoginCode.expires_at > now,
        )
        .order_by(MallLoginCode.created_on.desc(), MallLoginCode.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise _invalid_code()
    counted = db.session.execute(
        update(MallLoginCode)
        .where(
            MallLoginCode.id == row.id,
            MallLoginCode.used_at.is_(None),
            MallLoginCode.attempts < MAX_ATTEMPTS,
        )
        .values(attempts=MallLoginCode.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if counted != 1 or not hmac.compare_digest(row.code_hash, _code_hash(phone, str(code))):
        return _invalid_code()  # the failed try stays counted
    used = db.session.execute(
        update(MallLoginCode)
        .where(MallLoginCode.id == row.id, MallLoginCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:  # a concurrent login consumed it first
        raise _invalid_code()
    member = _member_for_phone(phone)
    if member.status == "frozen":
        return member_frozen()
    return member


def member_frozen() -> DomainError:
    return DomainError("MEMBER_FROZEN", _l("This membership is frozen; contact the store."))


def _member_for_phone(phone: str) -> Member:
    member = db.session.execute(select(Member).where(Member.phone == phone)).scalar_one_or_none()
    if member is not None:
        return member
    try:
        with db.session.begin_nested():
            member = _create_mall_member(phone)
    except IntegrityError:  # created concurrently by another login: use that one
        member = db.session.execute(select(Member).where(Member.phone == phone)).scalar_one()
    return member


def _create_mall_member(phone: str) -> Member:
    """Insert an active mall member without home store and tell plugins (no commit).

    Minimal on purpose: the members domain owns the full registration rules.
    """
    member = Member(
        member_no=next_doc_no("MB", "MALL"),
        phone=phone,
        name="",
        status="active",
        channel="mall",
        activated_on=datetime.now(),
    )
    db.session.add(member)
    db.session.flush()
    audit("member.created", "member", member.id, channel="mall")
    plugin_host().member_created(member=member)
    return member


def mall_stores(member: Member) -> list:
    """Active stores shown to ``member`` in the mall, narrowed by ``retail_mall_store_filters``."""
    from app.org.models import Store

    query = select(Store).where(Store.status == "active").order_by(Store.code)
    for criterion in plugin_host().mall_store_filters(member=member):
        query = query.where(criterion)
    return list(db.session.scalars(query).all())


# ---------------------------------------------------------------- member tokens


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def token_max_age() -> int:
    return int(current_app.config.get("MALL_TOKEN_MAX_AGE", DEFAULT_TOKEN_MAX_AGE))


def issue_member_token(member: Member) -> str:
    return _serializer().dumps({"member": member.id})


def member_id_from_token(token: str) -> int | None:
    """The member id of a valid, unexpired member token, else None."""
    try:
        data = _serializer().loads(token, max_age=token_max_age())
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    member_id = data.get("member") if isinstance(data, dict) else None
    return member_id if isinstance(member_id, int) and not isinstance(member_id, bool) else None
