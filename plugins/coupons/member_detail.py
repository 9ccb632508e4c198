"""The coupons plugin's section of the member page (``retail_member_detail_sections``): the
coupons the member can use in the viewer's store (what the POS wallet lists)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.formatting import code_label, html_table, money
from app.hookspecs import DetailSection
from app.members.models import Member
from app.security import scoped_store_id
from plugins.coupons.services import wallet_coupons


def member_coupons_section(member: Member, viewer) -> DetailSection:
    coupons = wallet_coupons(member, scoped_store_id(viewer))
    body = html_table(
        (_l("Coupon code"), _l("Coupon name"), _l("Status"), _l("Face value (yuan)"), _l("Valid to")),
        [(c.get("code"), c.get("name"), code_label(c.get("status"), "coupon_status"),
          money(c.get("face_value_fen")), c.get("valid_to")) for c in coupons],
    )
    return DetailSection("coupons", _l("Coupons"), body, order=40)
