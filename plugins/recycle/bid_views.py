"""Admin pages of bidding (F3.12): the bidding orders list (竞价订单) and one order's bidding.

A service provider's user sees the bidding-mode orders open for its bids and those it bid on
(``services.visible_orders``), bids in 元, and — when the merchant turns on "providers can
see bidding results" — a result column (success/fail) and a result filter.  HQ sees every
bidding order with its bids and winner, and opens (or re-opens) an order for bids.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.actor import acting_user
from app.admin import check_csrf
from app.errors import DomainError
from app.extensions import db
from app.formatting import parse_yuan, register_labels, timestamp, yuan
from app.hookspecs import ViewSpec
from app.platform.settings import get_setting
from app.security import is_hq
from plugins.recycle import bidding
from plugins.recycle.models import BIDDING, RecycleOrder
from plugins.recycle.services import provider_id_of, visible_orders
from plugins.recycle.view_helpers import visible_order_or_404

PAGE_SIZE = 25
RESULT_LABELS = {"success": _l("Success"), "fail": _l("Fail")}
register_labels("recycle_bid_result", RESULT_LABELS)
TEMPLATES = str(Path(__file__).resolve().parent / "templates")


def results_visible() -> bool:
    return bool(get_setting("recycle.bid_results_visible"))


class RecycleBiddingView(BaseView):
    route_base = "/recycle-bidding"
    class_permission_name = "RecycleBids"
    method_permission_name = {"index": "read", "detail": "read", "bid": "write", "open": "write"}
    default_view = "index"
    template_folder = TEMPLATES

    @expose("/")
    @has_access
    def index(self):
        viewer = acting_user()
        provider_id = provider_id_of(viewer)
        show_results = provider_id is not None and results_visible()
        result = request.args.get("result", "")
        query = visible_orders(viewer).where(RecycleOrder.mode == BIDDING)
        if show_results and result in RESULT_LABELS:
            query = query.where(bidding.bid_result_filter(provider_id, result))
        else:
            result = ""
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
        orders = list(db.session.scalars(query.order_by(RecycleOrder.id.desc())
                                         .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
        ids = [o.id for o in orders]
        biddings = {b.order_id: b for b in db.session.scalars(
            select(bidding.RecycleBidding).where(bidding.RecycleBidding.order_id.in_(ids)))} if ids else {}
        results = bidding.bid_results(provider_id, ids) if show_results else {}
        mine = bidding.best_bids(provider_id, ids) if provider_id is not None else {}
        rows = []
        for order in orders:
            row = biddings.get(order.id)
            rows.append({
                "order": order,
                "deadline": timestamp(row.deadline) if row else "",
                "min_bid": yuan(row.min_bid_fen) if row else "",
                "bid_count": row.bid_count if row else 0,
                "open": bool(row and row.closed_on is None and row.deadline > bidding.now()),
                "winner": (row.winning_provider.name if row and row.winning_provider else ""),
                "winning_amount": yuan(row.winning_amount_fen) if row else "",
                "my_bid": yuan(mine.get(order.id)),
                "result": RESULT_LABELS.get(results.get(order.id, ""), ""),
            })
        return self.render_template(
            "recycle_bidding/list.html", rows=rows, provider=provider_id is not None,
            show_results=show_results, result=result, results=RESULT_LABELS, page=page, pages=pages,
            total=total, title=_l("Bidding orders"),
        )

    def _render_detail(self, order, values=None, errors=None):
        viewer = acting_user()
        provider_id = provider_id_of(viewer)
        row = bidding.close_if_due(order.id)  # a bidding past its deadline shows its winner
        bids = bidding.bids_of(order.id, provider_id) if row is not None else []
        result = ""
        if provider_id is not None and results_visible() and row is not None:
            result = RESULT_LABELS.get(bidding.bid_results(provider_id, [order.id])[order.id], "")
        return self.render_template(
            "recycle_bidding/detail.html", order=order, bidding=row, bids=bids, now=bidding.now(),
            provider=provider_id is not None, hq=is_hq(viewer), result=result, yuan=yuan,
            timestamp=timestamp, values=values or {}, errors=errors or {}, title=_l("Bidding"),
            may_bid=provider_id is not None and self.appbuilder.sm.has_access("can_write", "RecycleBids"),
        )

    @expose("/order/<int:order_id>")
    @has_access
    def detail(self, order_id: int):
        order = visible_order_or_404(order_id)
        if order.mode != BIDDING:
            abort(404)
        return self._render_detail(order)

    @expose("/order/<int:order_id>/bid", methods=["POST"])
    @has_access
    def bid(self, order_id: int):
        check_csrf()
        order = visible_order_or_404(order_id)
        if order.mode != BIDDING:
            abort(404)
        values = {"amount": request.form.get("amount", "")[:20]}
        try:
            amount_fen = parse_yuan(values["amount"])
        except ValueError as err:
            return self._render_detail(order, values, {"amount": str(err)})
        try:
            bidding.place_bid(order.id, amount_fen, acting_user(), provider_id_of(acting_user()))
        except DomainError as err:
            return self._render_detail(order, values, {"amount": str(err.message)})
        flash(str(_l("Your bid of %(amount)s yuan was placed.", amount=yuan(amount_fen))), "success")
        return redirect(url_for("RecycleBiddingView.detail", order_id=order.id))

    @expose("/order/<int:order_id>/open", methods=["POST"])
    @has_access
    def open(self, order_id: int):
        check_csrf()
        order = visible_order_or_404(order_id)
        if order.mode != BIDDING or not is_hq(acting_user()):
            abort(404)
        values = {"minutes": request.form.get("minutes", "")[:10],
                  "min_bid": request.form.get("min_bid", "")[:20]}
        errors = {}
        minutes = min_bid_fen = None
        if values["minutes"].strip():
            if not values["minutes"].strip().isdigit():
                errors["minutes"] = str(_l("Enter a whole number of minutes."))
            else:
                minutes = int(values["minutes"])
        if values["min_bid"].strip():
            try:
                min_bid_fen = parse_yuan(values["min_bid"])
            except ValueError as err:
                errors["min_bid"] = str(err)
        if not errors:
            try:
                bidding.open_bidding(order.id, acting_user(), minutes, min_bid_fen)
            except DomainError as err:
                field = {"minutes": "minutes", "min_bid_fen": "min_bid"}.get(err.details.get("field", ""))
                if field is None:
                    flash(str(err.message), "danger")
                    return redirect(url_for("RecycleBiddingView.detail", order_id=order.id))
                errors[field] = str(err.message)
        if errors:
            return self._render_detail(order, values, errors)
        flash(str(_l("The trade-in is open for bids.")), "success")
        return redirect(url_for("RecycleBiddingView.detail", order_id=order.id))


def view_specs() -> list[ViewSpec]:
    """The pages of bidding, settlement and export, in the plugin's menu."""
    from plugins.recycle.export import RecycleExportView
    from plugins.recycle.settlement_views import RecycleSettlementView

    category = dict(category="Recycle", category_label=_l("Device trade-in"), category_icon="fa-recycle")
    return [
        ViewSpec(RecycleBiddingView, name="RecycleBidding", label=_l("Bidding orders"), icon="fa-gavel",
                 **category),
        ViewSpec(RecycleSettlementView, name="RecycleSettlementList", label=_l("Trade-in settlement"),
                 icon="fa-qrcode", **category),
        ViewSpec(RecycleExportView, name="RecycleExportPage", label=_l("Export trade-ins"),
                 icon="fa-download", **category),
    ]
