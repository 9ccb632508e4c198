"""What a guide writes about their member: visits, fittings, tags, album images; the guide's
own profile (guide code). Callers checked that the member is the guide's (``my_member``)."""

from __future__ import annotations

import base64
import binascii
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.images import image_kind
from app.members.models import Member, MemberLevel, MemberTag
from app.platform.audit import audit
from app.platform.settings import get_setting
from app.platform.staff import Staff
from app.unit_of_work import unit_of_work
from plugins.wecom_guide.labels import VISIT_METHODS
from plugins.wecom_guide.models import AlbumPhoto, Fitting, GuideMember, Visit
from plugins.wecom_guide.settings import PHOTO_MAX_KB
from plugins.wecom_guide.workbench import my_member, not_found

VISIT_METHOD_CODES = tuple(VISIT_METHODS)


def already_claimed() -> DomainError:
    return DomainError("MEMBER_ALREADY_CLAIMED", _l("Another guide has already claimed this member."))


def owns(staff: Staff, member_id: int) -> bool:
    owner = db.session.scalar(select(GuideMember.staff_id).where(GuideMember.member_id == member_id))
    return owner == staff.id


def guide_qr(staff_id: int) -> dict | None:
    """The guide's WeCom contact-me QR from the ``wecom`` package (None until one is set)."""
    from plugins.wecom_guide.ownership import partner_function

    wecom_guide_qr = partner_function("contact_way", "guide_qr")
    return wecom_guide_qr(staff_id) if wecom_guide_qr is not None else None


def guide_profile(staff: Staff) -> dict:
    qr = guide_qr(staff.id)
    return {
        "staff_id": staff.id,
        "name": staff.name,
        "store_id": staff.store_id,
        "qr_code": (qr or {}).get("qr_code"),
        "qr_notice": None if qr and qr.get("qr_code") else str(_l("Ask your admin to set your WeCom QR.")),
        "tags": [{"id": i, "name": n} for i, n in db.session.execute(
            select(MemberTag.id, MemberTag.name).order_by(MemberTag.name))],
        "levels": [{"id": i, "name": n} for i, n in db.session.execute(
            select(MemberLevel.id, MemberLevel.name).order_by(MemberLevel.threshold_fen))],
        "visit_methods": [{"code": code, "label": str(label)} for code, label in VISIT_METHODS.items()],
        "coupon_rules": coupon_rules(),
    }


def coupon_rules() -> list[dict]:
    """Electronic coupon rules a guide may send now (audited, enabled, in validity)."""
    from datetime import date

    from plugins.coupons.models import CouponRule

    rules = db.session.scalars(select(CouponRule).where(
        CouponRule.status == "audited", CouponRule.disabled.is_(False), CouponRule.medium == "electronic",
    ).order_by(CouponRule.id.desc()).limit(100)).all()
    today = date.today()
    return [{"id": r.id, "name": r.name} for r in rules
            if not (r.validity_type == "until" and r.valid_until and r.valid_until < today)]


def send_coupon(member: Member, rule_id: int, staff: Staff, user=None) -> dict:
    """Issue one electronic coupon of ``rule_id`` to the member through the coupons service."""
    from plugins.coupons.services import coupon_summary, issue_coupon

    coupon = issue_coupon(rule_id, member.id, "wecom_guide", store_id=staff.store_id,
                          user_id=getattr(user, "id", None))
    audit("wecom_guide.coupon", "member", member.id, user=user, rule_id=rule_id, code=coupon.code)
    return coupon_summary(coupon)


def add_visit(member_id: int, staff: Staff, method: str, note: str) -> Visit:
    with unit_of_work():
        visit = Visit(member_id=member_id, staff_id=staff.id, method=method, note=note.strip())
        db.session.add(visit)
        db.session.flush()
        audit("wecom_guide.visit", "member", member_id, method=method)
    return visit


def add_fitting(member_id: int, staff: Staff, item: str, size: str, note: str) -> Fitting:
    with unit_of_work():
        fitting = Fitting(member_id=member_id, staff_id=staff.id, item=item.strip(), size=size.strip(),
                          note=note.strip())
        db.session.add(fitting)
        db.session.flush()
    return fitting


def set_tag(member: Member, tag_id: int, selected: bool, user=None) -> list[str]:
    """Give or take a tag of HQ's list (the members domain's tag link); the tag names now."""
    tag = db.session.get(MemberTag, tag_id)
    if tag is None:
        raise DomainError("TAG_NOT_FOUND", _l("Unknown member tag."), field="tag_id")
    with unit_of_work():
        has = tag in member.tags
        if selected and not has:
            member.tags.append(tag)
        elif not selected and has:
            member.tags.remove(tag)
        if selected != has:
            audit("wecom_guide.tag" if selected else "wecom_guide.untag", "member", member.id, tag=tag.name,
                  user=user)
    return sorted(t.name for t in member.tags)


# ---------------------------------------------------------------- album


def album_dir() -> Path:
    path = Path(current_app.instance_path) / "wecom_guide" / "album"
    path.mkdir(parents=True, exist_ok=True)
    return path


def photo_path(photo: AlbumPhoto) -> Path:
    return album_dir() / photo.file_name


def add_photo(member_id: int, staff: Staff, encoded: str, caption: str) -> AlbumPhoto:
    """Store a base64 image (the API's bodies are JSON) after checking its size and content."""
    max_bytes = int(get_setting(PHOTO_MAX_KB)) * 1024
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if len(data) > max_bytes:
        raise DomainError("PHOTO_TOO_LARGE", _l("The image is too large."), max_bytes=max_bytes)
    kind = image_kind(data) if data else None
    if kind is None:
        raise DomainError("PHOTO_TYPE_NOT_ALLOWED", _l("Upload a JPEG, PNG, GIF or WebP image."))
    content_type, extension = kind
    name = f"{uuid.uuid4().hex}.{extension}"
    path = album_dir() / name
    path.write_bytes(data)
    try:
        with unit_of_work():
            photo = AlbumPhoto(member_id=member_id, staff_id=staff.id, file_name=name,
                               content_type=content_type, size_bytes=len(data),
                               caption=(caption or "").strip()[:100])
            db.session.add(photo)
            db.session.flush()
            audit("wecom_guide.photo", "member", member_id, size=len(data))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return photo


def own_photo(viewer, staff: Staff, photo_id: int) -> AlbumPhoto:
    photo = db.session.get(AlbumPhoto, photo_id)
    if photo is None:
        raise not_found()
    my_member(viewer, staff, photo.member_id)  # 404 unless the member is the guide's
    if not photo_path(photo).is_file():
        raise not_found()
    return photo
