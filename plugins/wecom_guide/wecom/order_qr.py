"""The closing guide's WeCom QR on an order (加微信聊, seed 003 §4.3): a field of the POS order
JSON and a section of the admin order page.  The closing guide is the order's staff member (who
booked the sale); the QR is read from the per-worker cache (no query on the sale's hot path)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.hookspecs import DetailSection
from plugins.wecom_guide.wecom.contact_way import guide_qr


def order_guide_qr(order) -> dict | None:
    qr = guide_qr(order.staff_id)
    if qr is None:
        return None
    return {
        "staff_id": qr["staff_id"],
        "name": order.staff.name if order.staff is not None else "",
        "qr_code": qr["qr_code"],
    }


def order_fields(order) -> dict | None:
    """``guide_wecom_qr`` in ``GET pos/orders/{no}``; absent when the guide has no WeCom QR."""
    qr = order_guide_qr(order)
    return {"guide_wecom_qr": qr} if qr else None


def order_section(order) -> DetailSection | None:
    qr = order_guide_qr(order)
    if qr is None:
        return None
    body = Markup(
        '<div class="wecom-guide-qr"><p>{caption}</p>'
        '<img src="{src}" alt="{alt}" width="160" height="160" loading="lazy" '
        'referrerpolicy="no-referrer"></div>'
    ).format(
        caption=_l("Add %(name)s on WeCom to chat (scan with WeChat):", name=qr["name"]),
        src=qr["qr_code"],
        alt=_l("WeCom QR"),
    )
    return DetailSection("wecom-guide-qr", _l("Closing guide's WeCom"), body, order=800)
