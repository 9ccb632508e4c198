"""A guide's WeCom account and "contact me" QR (联系我, ``externalcontact/add_contact_way``).

HQ binds a guide (staff) to their WeCom userid, then makes the QR: one contact way per
guide, ``type`` 1 (single user), ``scene`` 2 (QR), ``state`` ``g<staff id>`` (our guide
reference, ≤ 30 characters, carried back in the add-contact event).  ``config_id`` is stored:
without it the way cannot be edited or deleted on WeCom.  A new QR replaces the old way
(deleted on WeCom, best effort).

``guide_qr(staff_id)`` is what the workbench, the open-bill screen and the order detail show;
it is read on the sale's hot path, so the QR of every guide is kept per worker
(``cached_for_config``); contact ways are reference data (the manifest's ``REFERENCE_DATA``):
any change to one bumps the configuration version, and every worker reloads them.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.platform.audit import audit
from app.platform.caches import cached_for_config
from app.platform.staff import Staff
from app.unit_of_work import unit_of_work
from plugins.wecom_guide.models import WeComContactWay
from plugins.wecom_guide.wecom.client import WeComError
from plugins.wecom_guide.wecom.platform import api_error, make_client

USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
QR_CACHE = "wecom_guide.guide_qr"


def state_for(staff_id: int) -> str:
    return f"g{staff_id}"


def staff_of_state(state: str) -> int | None:
    match = re.fullmatch(r"g(\d{1,12})", state or "")
    return int(match.group(1)) if match else None


def _all_qr() -> dict[int, dict]:
    rows = db.session.execute(
        select(
            WeComContactWay.staff_id,
            WeComContactWay.wecom_userid,
            WeComContactWay.config_id,
            WeComContactWay.qr_code,
        ).where(WeComContactWay.status == "active", WeComContactWay.qr_code != "")
    ).all()
    return {
        r.staff_id: {
            "staff_id": r.staff_id,
            "wecom_userid": r.wecom_userid,
            "config_id": r.config_id,
            "qr_code": r.qr_code,
        }
        for r in rows
        if r.qr_code.startswith(("https://", "http://"))
    }


def guide_qr(staff_id: int | None) -> dict | None:
    """The guide's WeCom QR: ``{"staff_id", "wecom_userid", "config_id", "qr_code"}`` (``qr_code``
    is WeCom's image URL), or None when the guide has none (or WeCom is off)."""
    if not staff_id:
        return None
    found = cached_for_config(QR_CACHE, _all_qr).get(int(staff_id))
    return dict(found) if found else None


def way_of_userid(userid: str) -> WeComContactWay | None:
    return db.session.scalars(select(WeComContactWay).where(WeComContactWay.wecom_userid == userid)).first()


def bind_wecom_user(staff_id: int, userid: str, user=None) -> WeComContactWay:
    """Bind a guide to their WeCom userid (a changed userid drops the old QR here)."""
    userid = (userid or "").strip()
    if not USERID.match(userid):
        raise DomainError("WECOM_USERID_INVALID", _l("A WeCom userid is 1 to 64 letters, digits or _ . @ -."))
    with unit_of_work():
        staff = db.session.get(Staff, staff_id)
        if staff is None or staff.status != "active":
            raise DomainError("GUIDE_NOT_FOUND", _l("The guide does not exist or has left."))
        other = way_of_userid(userid)
        if other is not None and other.staff_id != staff_id:
            raise DomainError("WECOM_USERID_TAKEN", _l("This WeCom userid belongs to another guide."))
        way = db.session.scalars(select(WeComContactWay).where(WeComContactWay.staff_id == staff_id)).first()
        if way is None:
            way = WeComContactWay(staff_id=staff_id, wecom_userid=userid)
            db.session.add(way)
        elif way.wecom_userid != userid:
            way.config_id, way.qr_code, way.status = None, "", "none"
        way.wecom_userid, way.store_id = userid, staff.store_id
        audit("wecom.bind_user", "staff", staff_id, user=user, wecom_userid=userid)
        try:
            db.session.flush()
        except IntegrityError as err:
            raise DomainError(
                "WECOM_USERID_TAKEN", _l("This WeCom userid belongs to another guide.")
            ) from err
    return way


def make_guide_qr(staff_id: int, user=None) -> dict:
    """Make (or remake) the guide's contact-me QR on WeCom and store its ``config_id``."""
    with unit_of_work():  # a read; ends before WeCom is called: no transaction of ours spans the call
        way = db.session.scalars(select(WeComContactWay).where(WeComContactWay.staff_id == staff_id)).first()
        if way is None:
            raise DomainError("WECOM_USER_NOT_BOUND", _l("Bind the guide to a WeCom userid first."))
        staff = db.session.get(Staff, staff_id)
        if staff is None or staff.status != "active":
            raise DomainError("GUIDE_NOT_FOUND", _l("The guide does not exist or has left."))
        way_id, userid, old_config = way.id, way.wecom_userid, way.config_id
        remark = f"{staff.employee_no} {staff.name}"[:30]
    client = make_client()
    try:
        made = client.add_contact_way(userid, state_for(staff_id), remark=remark)
    except WeComError as err:
        with unit_of_work():
            failed = db.session.get(WeComContactWay, way_id)
            if failed is not None:
                failed.last_error = f"{err.code} {err.errcode or ''} {err.message}"[:200]
                if not failed.qr_code:
                    failed.status = "failed"
            audit("wecom.qr_failed", "staff", staff_id, user=user, error=err.code, errcode=err.errcode)
        raise api_error(err) from err
    with unit_of_work():
        way = db.session.get(WeComContactWay, way_id)
        way.config_id, way.qr_code, way.status, way.last_error = (
            made["config_id"],
            made["qr_code"],
            "active",
            "",
        )
        way.state = state_for(staff_id)
        audit("wecom.qr_made", "staff", staff_id, user=user, config_id=made["config_id"])
    if old_config and old_config != made["config_id"]:
        try:
            client.del_contact_way(old_config)
        except WeComError:
            pass  # recorded in the call log; the old way only stops being shown by us
    return {"staff_id": staff_id, "wecom_userid": userid, **made}
