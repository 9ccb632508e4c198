"""Scan-to-open-bill (扫码开单, seed 003 §5.1): five modes, set on System → Settings.

- ``miniprogram`` / ``h5``: the customer scans the store's code and registers or logs in;
- ``wecom_miniprogram`` / ``wecom_h5``: the screen shows the guide's WeCom QR; the customer adds
  the guide on WeCom (the welcome message carries the follow-up), and a bill is opened only
  for a customer who is the guide's WeCom friend;
- ``off``: no scan-to-open-bill.

A guide without a WeCom QR gets "ask your admin to set your WeCom QR" in the WeCom modes.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.platform.settings import get_setting
from plugins.wecom_guide.models import WeComContact
from plugins.wecom_guide.settings import OPEN_BILL_MODE, OPEN_BILL_MODES, WECOM_OPEN_BILL_MODES
from plugins.wecom_guide.wecom.contact_way import guide_qr

NO_QR = _l("Ask your admin to set your WeCom QR in the back office (WeCom guides).")
WECOM_HINT = _l(
    "Scan the QR above and add me on WeCom to finish following the official account and "
    "registering as a member."
)
PLAIN_HINT = _l("Scan to register or log in, then the bill is opened for you.")


def mode() -> str:
    return get_setting(OPEN_BILL_MODE)


def mode_label(value: str) -> str:
    return str(dict(OPEN_BILL_MODES).get(value, value))


def open_bill_screen(staff_id: int) -> dict:
    """What the guide's scan-to-open-bill screen shows."""
    current = mode()
    screen = {
        "mode": current,
        "mode_label": mode_label(current),
        "wecom": current in WECOM_OPEN_BILL_MODES,
        "qr_code": None,
        "hint": "",
        "problem": None,
    }
    if current == "off":
        raise DomainError("OPEN_BILL_OFF", _l("Scan-to-open-bill is turned off."))
    if current in WECOM_OPEN_BILL_MODES:
        qr = guide_qr(staff_id)
        if qr is None:
            screen["problem"] = "WECOM_QR_MISSING"
            screen["hint"] = str(NO_QR)
        else:
            screen["qr_code"] = qr["qr_code"]
            screen["hint"] = str(WECOM_HINT)
    else:
        screen["hint"] = str(PLAIN_HINT)
    return screen


def is_wecom_friend(member_id: int, staff_id: int) -> bool:
    return (
        db.session.scalar(
            select(WeComContact.id)
            .where(
                WeComContact.member_id == member_id,
                WeComContact.staff_id == staff_id,
                WeComContact.status == "friend",
            )
            .limit(1)
        )
        is not None
    )


def check_open_bill(member_id: int, staff_id: int) -> dict:
    """May ``staff_id`` open a bill for ``member_id`` now?  Refused with a DomainError."""
    current = mode()
    if current == "off":
        raise DomainError("OPEN_BILL_OFF", _l("Scan-to-open-bill is turned off."))
    if current in WECOM_OPEN_BILL_MODES:
        if guide_qr(staff_id) is None:
            raise DomainError("WECOM_QR_MISSING", NO_QR)
        if not is_wecom_friend(member_id, staff_id):  # same answer for an unknown member: nothing leaks
            raise DomainError(
                "WECOM_NOT_FRIEND",
                _l(
                    "The customer must add you on WeCom before the bill is "
                    "opened: let them scan your WeCom QR."
                ),
            )
    return {"allowed": True, "mode": current}


def check_sale_member(staff_id: int | None, member_id: int | None) -> None:
    """The open-bill rule at the POS (``retail_check_sale``): in the WeCom modes a sale booked for a
    member needs the closing guide (``staff_id``) to have a WeCom QR and the member as a WeCom
    friend (one statement); refused with ``check_open_bill``'s DomainError, before anything is
    written.  A walk-in sale (no member) and the other modes, ``off`` included, are not checked
    (no statement: the mode is a cached setting)."""
    if member_id is None or mode() not in WECOM_OPEN_BILL_MODES:
        return
    check_open_bill(member_id, staff_id)
