"""Printable coupon sheets (A4): a rule's coupons with their codes and QR codes.

Same read permission as the coupon list (``Coupons``) and the same store scope: store
staff print only the coupons collected to their store.  QR codes are drawn on the
server as inline SVG (``qrcode``), so printing needs nothing from the internet.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, request
from flask_appbuilder import expose, has_access
from sqlalchemy import func, select

from app.extensions import db
from app.printing import PrintView
from app.qr import qr_svg
from app.security import scope_to_store
from plugins.coupons.models import Coupon, CouponRule

PER_PAGE = 60
SHEET_STATUSES = ("generated", "collected", "issued")


class CouponSheetView(PrintView):
    route_base = "/print/coupons"
    class_permission_name = "Coupons"
    method_permission_name = {"sheet": "read"}
    default_view = "sheet"
    template_folder = str(Path(__file__).resolve().parent / "templates")  # this plugin's own templates

    @expose("/rule/<int:rule_id>")
    @has_access
    def sheet(self, rule_id):

        rule = db.session.get(CouponRule, rule_id)
        if rule is None:
            abort(404)
        status = request.args.get("status", "")
        query = select(Coupon).where(Coupon.rule_id == rule.id)
        if status in SHEET_STATUSES:
            query = query.where(Coupon.status == status)
        else:
            query = query.where(Coupon.status.in_(SHEET_STATUSES))
        query = scope_to_store(query, Coupon.store_id)
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        coupons = db.session.scalars(
            query.order_by(Coupon.code).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
        )
        return self.render_print(
            "print/coupon_sheet.html",
            rule=rule,
            status=status if status in SHEET_STATUSES else "",
            statuses=SHEET_STATUSES,
            coupons=[(coupon, qr_svg(coupon.code)) for coupon in coupons],
            page=page,
            pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
            total=total,
        )
