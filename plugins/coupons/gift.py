"""Gift binding codes (F0.5): the POS makes a signed, expiring, one-time token for a gift
coupon and shows it as a QR code; the member scans it in the mall and the coupon binds to them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update

from app.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.platform.settings import get_setting
from app.unit_of_work import unit_of_work
from plugins.coupons.models import Coupon, GiftToken
from plugins.coupons.services import check_issuable, record, validity_for

SALT = "coupons.gift-binding"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_minutes() -> int:
    return int(get_setting("coupons.gift_token_minutes"))


def create_gift_token(coupon: Coupon, store_id: int) -> tuple[str, GiftToken]:
    """A one-time binding token for a gift coupon of ``store_id``; commits.

    Giftable: a physical coupon collected to this store, or a bearer coupon
    (issued without a member) of this store. The rule must be enabled.
    """
    if coupon.store_id != store_id:
        raise DomainError("COUPON_NOT_FOUND", _l("Coupon not found."))
    giftable = coupon.status == "collected" or (coupon.status == "issued" and coupon.member_id is None)
    if not giftable:
        raise DomainError("COUPON_NOT_GIFTABLE", _l("Only an unissued or bearer coupon can be given."))
    check_issuable(coupon.rule)
    minutes = token_minutes()
    with unit_of_work():
        row = GiftToken(
            jti=uuid.uuid4().hex,
            coupon_id=coupon.id,
            store_id=store_id,
            expires_on=datetime.now() + timedelta(minutes=minutes),
        )
        db.session.add(row)
    return _serializer().dumps({"j": row.jti, "c": coupon.id}), row


def bind_gift(token: str, member: Member) -> Coupon:
    """Bind the token's coupon to ``member``; forged, expired and used tokens are refused; commits."""
    try:
        data = _serializer().loads(token or "", max_age=token_minutes() * 60)
    except SignatureExpired as exc:
        raise DomainError("GIFT_TOKEN_EXPIRED", _l("This gift code has expired.")) from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise DomainError("GIFT_TOKEN_INVALID", _l("This gift code is not valid.")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("j"), str):
        raise DomainError("GIFT_TOKEN_INVALID", _l("This gift code is not valid."))
    with unit_of_work():
        now = datetime.now()
        used = db.session.execute(
            update(GiftToken)
            .where(GiftToken.jti == data["j"], GiftToken.used_on.is_(None), GiftToken.expires_on >= now)
            .values(used_on=now, used_by_member_id=member.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if used != 1:
            row = db.session.query(GiftToken).filter_by(jti=data["j"]).one_or_none()
            if row is None:
                raise DomainError("GIFT_TOKEN_INVALID", _l("This gift code is not valid."))
            if row.used_on is not None:
                raise DomainError("GIFT_TOKEN_USED", _l("This gift code was used already."))
            raise DomainError("GIFT_TOKEN_EXPIRED", _l("This gift code has expired."))
        row = db.session.query(GiftToken).filter_by(jti=data["j"]).one()
        coupon = db.session.get(Coupon, row.coupon_id)
        check_issuable(coupon.rule)
        valid_from, valid_to = validity_for(coupon.rule)
        values = dict(member_id=member.id, status="issued", channel="gift")
        if coupon.status == "collected":
            values.update(valid_from=valid_from, valid_to=valid_to, issued_on=now)
        source = coupon.status
        bound = db.session.execute(
            update(Coupon)
            .where(
                Coupon.id == coupon.id, Coupon.member_id.is_(None), Coupon.status.in_(("collected", "issued"))
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if bound != 1:
            raise DomainError("COUPON_NOT_GIFTABLE", _l("Only an unissued or bearer coupon can be given."))
        record(
            coupon, "gift", source, "issued", store_id=row.store_id, member_id=member.id, doc_no=row.jti[:40]
        )
    db.session.refresh(coupon)
    return coupon


# ---------------------------------------------------------------- QR as PNG


