"""Admin pages of the points mall: items (HQ) and exchange orders with their fulfilment steps.

Store roles see only the pick-ups at their own store (``store_id`` is the pick-up store; delivery
and virtual orders have none, so only HQ sees them). Every step re-checks the store scope in the
service, whatever the page offered.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template_string, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, FileField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.actor import acting_user
from app.admin import (
    AUDIT_LABELS,
    READ_WRITE_VIEW_METHODS,
    NoEditOrDelete,
    RetailModelView,
    StoreScopedModelView,
    check_csrf,
)
from app.admin_actions import run_bulk
from app.admin_fields import Section
from app.errors import DomainError
from app.formatting import code_label, register_labels, timestamp, yuan
from app.hookspecs import ViewSpec
from app.list_export import ListExportMixin
from app.members.services import member_label
from app.printing import print_button
from app.security import scoped_store_id
from plugins.points_mall import services
from plugins.points_mall.items import save_item_image, set_on_shelf, validate_item
from plugins.points_mall.models import MallItem, MallOrder

register_labels("points_mall_item_kind", {"physical": _l("Physical goods"), "virtual": _l("Virtual goods")})
register_labels(
    "points_mall_order_status",
    {
        "pending": _l("Awaiting fulfilment"),
        "shipped": _l("Shipped"),
        "ready": _l("Ready for pick-up"),
        "done": _l("Done"),
        "cancelled": _l("Order cancelled"),
    },
)
register_labels("points_mall_fulfilment", {"delivery": _l("Delivery"), "pickup": _l("Store pick-up")})

PHYSICAL_ONLY = {"kind": ["physical"]}

ITEM_LABELS = {
    "name": _l("Item name"),
    "kind": _l("Kind"),
    "description": _l("Description"),
    "image_url": _l("Image URL"),
    "image_file": _l("Upload image"),
    "sku": _l("SKU"),
    "source_store": _l("Stock taken from"),
    "allow_delivery": _l("Delivery"),
    "allow_pickup": _l("Store pick-up"),
    "coupon_rule": _l("Coupon rule"),
    "points_price": _l("Points price"),
    "cash_fen": _l("Cash part (yuan)"),
    "stock": _l("Stock"),
    "exchanged_count": _l("Exchanged"),
    "per_member_limit": _l("Limit per member"),
    "per_member_daily_limit": _l("Limit per member per day"),
    "on_shelf": _l("On shelf"),
    "valid_from": _l("Exchange from"),
    "valid_to": _l("Exchange until"),
    "sort_order": _l("Display order"),
    **AUDIT_LABELS,
}
ITEM_FIELDS = [
    "name",
    "kind",
    "description",
    "image_url",
    "sku",
    "source_store",
    "allow_delivery",
    "allow_pickup",
    "coupon_rule",
    "points_price",
    "cash_fen",
    "stock",
    "per_member_limit",
    "per_member_daily_limit",
    "on_shelf",
    "valid_from",
    "valid_to",
    "sort_order",
]


class MallItemView(RetailModelView):
    """积分商城商品: HQ keeps physical and virtual goods, puts them on and off the shelf."""

    datamodel = SQLAInterface(MallItem)
    class_permission_name = "PointsMallItems"
    method_permission_name = {**READ_WRITE_VIEW_METHODS, "shelf_on": "write", "shelf_off": "write"}
    list_title = _l("Mall items")
    show_title = _l("Mall item")
    add_title = _l("Add mall item")
    edit_title = _l("Edit mall item")
    list_columns = [
        "name",
        "kind",
        "points_price",
        "cash_fen",
        "stock",
        "exchanged_count",
        "on_shelf",
        "sort_order",
        "valid_to",
    ]
    search_columns = ["name", "kind", "on_shelf", "source_store", "coupon_rule", "points_price", "stock"]
    order_columns = ["name", "points_price", "stock", "exchanged_count", "sort_order"]
    base_order = ("sort_order", "asc")
    add_columns = edit_columns = [*ITEM_FIELDS[:4], "image_file", *ITEM_FIELDS[4:]]  # upload beside the URL
    show_columns = ITEM_FIELDS + ["exchanged_count", "created_on", "changed_on"]
    label_columns = ITEM_LABELS
    label_kinds = {"kind": "points_mall_item_kind"}
    form_conditions = {
        "sku": PHYSICAL_ONLY,
        "source_store": PHYSICAL_ONLY,
        "allow_delivery": PHYSICAL_ONLY,
        "allow_pickup": PHYSICAL_ONLY,
        "coupon_rule": {"kind": ["virtual"]},
    }
    formatters_columns = {"image_url": lambda url: Markup(  # the picture, opening whole in a new tab
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" style="max-height:120px"></a>'
    ).format(url, url) if url else ""}
    description_columns = {
        "source_store": _l(
            "Empty = HQ: only the mall's own stock counter; a store's stock is taken at "
            "exchange and goods are picked up there."
        ),
        "coupon_rule": _l(
            "Virtual goods: an audited, enabled electronic coupon rule; its coupon is issued at once."
        ),
        "stock": _l("Units left for exchange."),
        "per_member_limit": _l("Empty = no limit."),
        "per_member_daily_limit": _l("Empty = no limit."),
        "image_url": _l("The picture members see in the mall: upload one below, or give the address "
                        "of a picture on the web."),
    }
    _rule_filter = [
        ["status", FilterEqual, "audited"],
        ["disabled", FilterEqual, False],
        ["medium", FilterEqual, "electronic"],
    ]
    add_form_query_rel_fields = edit_form_query_rel_fields = {"coupon_rule": _rule_filter}
    action_order = ["shelf_on", "shelf_off"]
    add_form_extra_fields = edit_form_extra_fields = {
        "description": TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)]),
        "image_url": StringField(
            _l("Image URL"), validators=[Optional(), Length(max=300)], widget=BS3TextFieldWidget()
        ),
        "image_file": FileField(
            _l("Upload image"), validators=[Optional()],
            description=_l("JPEG, PNG, GIF or WebP; replaces the image URL."),
        ),
        "allow_delivery": BooleanField(_l("Delivery"), default=True, validators=[Optional()]),
        "allow_pickup": BooleanField(_l("Store pick-up"), default=True, validators=[Optional()]),
        "on_shelf": BooleanField(_l("On shelf"), validators=[Optional()]),
    }

    def _prepare(self, item):
        if item.kind == "virtual":
            item.sku = item.source_store = None
            item.sku_id = item.source_store_id = None
        else:
            item.coupon_rule = None
            item.coupon_rule_id = None
        validate_item(item)
        upload = request.files.get("image_file")
        if upload is not None and upload.filename:  # checked last: a refused form keeps no file
            item.image_url = save_item_image(upload.read())

    def pre_add(self, item):
        self._prepare(item)

    def pre_update(self, item):
        self._prepare(item)

    @expose("/delete/<pk>", methods=["GET", "POST"])
    def delete(self, pk):
        abort(404)  # exchange orders refer to items: take an item off the shelf instead

    @action("shelf_on", _l("Put on shelf"), _l("Put the selected items on the shelf?"), "fa-arrow-up")
    def shelf_on(self, items):
        return run_bulk(
            self,
            items,
            lambda i: set_on_shelf(i, True),
            lambda i: i.name,
            lambda n: _l("%(n)s item(s) put on the shelf.", n=n),
        )

    @action("shelf_off", _l("Take off shelf"), _l("Take the selected items off the shelf?"), "fa-arrow-down")
    def shelf_off(self, items):
        return run_bulk(
            self,
            items,
            lambda i: set_on_shelf(i, False),
            lambda i: i.name,
            lambda n: _l("%(n)s item(s) taken off the shelf.", n=n),
        )


ORDER_LABELS = {
    "order_no": _l("Exchange order no."),
    "member": _l("Member"),
    "item_name": _l("Item name"),
    "kind": _l("Kind"),
    "qty": _l("Quantity"),
    "points": _l("Points"),
    "cash_fen": _l("Cash part (yuan)"),
    "status": _l("Status"),
    "fulfilment": _l("Fulfilment"),
    "sku": _l("SKU"),
    "source_store": _l("Stock taken from"),
    "receiver_name": _l("Receiver"),
    "receiver_phone": _l("Receiver phone"),
    "address": _l("Address"),
    "carrier": _l("Carrier"),
    "tracking_no": _l("Tracking no."),
    "shipped_on": _l("Shipped on"),
    "store": _l("Pick-up store"),
    "coupon": _l("Coupon"),
    "cancel_reason": _l("Cancel reason"),
    "created_on": _l("Exchanged on"),
    "done_on": _l("Done on"),
    "cancelled_on": _l("Cancelled on"),
}
ORDER_FIELDS = [
    "order_no",
    "member",
    "item_name",
    "kind",
    "qty",
    "points",
    "cash_fen",
    "status",
    "created_on",
    "done_on",
    "cancelled_on",
    "cancel_reason",
]
VIRTUAL_FIELDSETS = [(_l("Exchange order"), {"fields": ORDER_FIELDS}), (_l("Coupon"), {"fields": ["coupon"]})]
DELIVERY_FIELDSETS = [
    (_l("Exchange order"), {"fields": ORDER_FIELDS + ["fulfilment", "sku", "source_store"]}),
    (
        _l("Delivery"),
        {"fields": ["receiver_name", "receiver_phone", "address", "carrier", "tracking_no", "shipped_on"]},
    ),
]
PICKUP_FIELDSETS = [
    (_l("Exchange order"), {"fields": ORDER_FIELDS + ["fulfilment", "sku", "source_store"]}),
    (_l("Store pick-up"), {"fields": ["store"]}),
]

ADD_HINT = """{% extends base_template %}
{% block content %}
<div class="panel panel-default"><div class="panel-heading"><h4>{{ title }}</h4></div>
<div class="panel-body"><p>{{ hint }}</p>
<a class="btn btn-primary" href="{{ link }}">{{ link_text }}</a></div></div>
{% endblock %}
"""

STEP_FORM = """
<form method="post" action="{{ url }}" class="form-inline mall-step" style="margin-bottom:8px">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  {% for name, label in fields %}
  <input type="text" class="form-control" name="{{ name }}" placeholder="{{ label }}" aria-label="{{ label }}"
         maxlength="50" {% if name != 'reason' %}required{% endif %}>
  {% endfor %}
  <button type="submit" class="btn btn-{{ style }}" name="step" value="{{ step }}">{{ text }}</button>
</form>
"""


def _export_cells() -> list:
    """The exchange-order export: what the order page shows, one row per order (labels, 元)."""
    viewer = acting_user()

    def label(field, kind):
        return lambda order: code_label(getattr(order, field), kind)

    def text(field):
        return lambda order: getattr(order, field) or ""

    return [
        (ORDER_LABELS["order_no"], text("order_no")),
        (ORDER_LABELS["created_on"], lambda order: timestamp(order.created_on)),
        (ORDER_LABELS["member"], lambda order: member_label(order.member, viewer)),
        (ORDER_LABELS["item_name"], text("item_name")),
        (ORDER_LABELS["kind"], label("kind", "points_mall_item_kind")),
        (ORDER_LABELS["qty"], lambda order: order.qty),
        (ORDER_LABELS["points"], lambda order: order.points),
        (ORDER_LABELS["cash_fen"], lambda order: yuan(order.cash_fen)),
        (ORDER_LABELS["status"], label("status", "points_mall_order_status")),
        (ORDER_LABELS["fulfilment"], lambda order: code_label(order.fulfilment, "points_mall_fulfilment")
         if order.fulfilment else ""),
        (ORDER_LABELS["store"], lambda order: order.store.name if order.store else ""),
        (ORDER_LABELS["receiver_name"], text("receiver_name")),
        (ORDER_LABELS["receiver_phone"], text("receiver_phone")),
        (ORDER_LABELS["address"], text("address")),
        (ORDER_LABELS["carrier"], text("carrier")),
        (ORDER_LABELS["tracking_no"], text("tracking_no")),
        (ORDER_LABELS["coupon"], lambda order: order.coupon.code if order.coupon is not None else ""),
        (ORDER_LABELS["done_on"], lambda order: timestamp(order.done_on) if order.done_on else ""),
    ]


class MallOrderView(NoEditOrDelete, ListExportMixin, StoreScopedModelView):
    """积分兑换订单: every order for HQ; a store's staff see the pick-ups at their store. The list
    exports as CSV/XLSX with its filters; a physical order prints as a picking slip."""

    export_name = "exchange-orders"

    datamodel = SQLAInterface(MallOrder)
    class_permission_name = "PointsMallOrders"
    method_permission_name = {**READ_WRITE_VIEW_METHODS, "step": "write"}
    list_title = _l("Exchange orders")
    show_title = _l("Exchange order")
    list_columns = [
        "order_no",
        "member",
        "item_name",
        "kind",
        "qty",
        "points",
        "status",
        "fulfilment",
        "store",
        "created_on",
    ]
    search_columns = ["order_no", "item_name", "status", "kind", "fulfilment", "store", "created_on"]
    order_columns = ["order_no", "points", "created_on"]
    base_order = ("created_on", "desc")
    show_columns = list(ORDER_LABELS)
    label_columns = ORDER_LABELS
    label_kinds = {
        "kind": "points_mall_item_kind",
        "status": "points_mall_order_status",
        "fulfilment": "points_mall_fulfilment",
    }
    formatters_columns = {
        "member": member_label,
        "created_on": timestamp,
        "done_on": timestamp,
        "cancelled_on": timestamp,
        "shipped_on": timestamp,
        "coupon": lambda c: c.code if c is not None else "",
    }

    # orders come from members' exchanges, never typed in: the list's "+" says so
    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        return render_template_string(
            ADD_HINT,
            base_template=self.appbuilder.base_template,
            appbuilder=self.appbuilder,
            title=_l("Exchange orders"),
            hint=_l("Exchange orders are not typed in: members exchange points for mall items in the mall."),
            link=url_for("MallItemView.list"),
            link_text=_l("Go to mall items"),
        )


    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        """F3.1: a virtual order shows no spec, address, delivery, store or freight sections."""
        fieldsets = {"virtual": VIRTUAL_FIELDSETS}.get(item.kind) or (
            DELIVERY_FIELDSETS if item.fulfilment == "delivery" else PICKUP_FIELDSETS
        )
        return super()._get_show_widget(pk, item, widgets, actions, show_fieldsets=fieldsets)

    def export_columns(self):
        return _export_cells()

    def detail_sections(self, item) -> list[Section]:
        if item.kind != "physical":
            return []
        slip = Section("print", _l("Print"), print_button(url_for("MallOrderPrintView.slip", pk=item.id),
                                                           _l("Print picking slip (A4)")))
        if item.status not in services.OPEN_STATUSES:
            return [slip]
        forms = []
        url = url_for("MallOrderView.step", pk=item.id)

        def form(step, text, style, fields=()):
            forms.append(
                render_template_string(STEP_FORM, url=url, step=step, text=text, style=style, fields=fields)
            )

        if item.fulfilment == "delivery" and item.status == "pending":
            form(
                "ship",
                _l("Ship"),
                "primary",
                (("carrier", _l("Carrier")), ("tracking_no", _l("Tracking no."))),
            )
        if item.fulfilment == "delivery" and item.status == "shipped":
            form("complete", _l("Mark received"), "success")
        if item.fulfilment == "pickup" and item.status == "pending":
            form("ready", _l("Ready for pick-up"), "primary")
        if item.fulfilment == "pickup" and item.status == "ready":
            form("complete", _l("Hand over"), "success", (("pickup_code", _l("Pick-up code")),))
        if item.status in ("pending", "ready"):
            form("cancel", _l("Cancel and refund points"), "danger", (("reason", _l("Cancel reason")),))
        return [Section("fulfilment", _l("Fulfilment"), Markup("".join(forms))), slip]

    @expose("/step/<int:pk>", methods=["POST"])
    @has_access
    def step(self, pk):
        check_csrf()
        store_id, user = scoped_store_id(), acting_user()
        user_id = getattr(user, "id", None)
        step = request.form.get("step", "")
        form = request.form
        steps = {
            "ship": lambda: services.ship_order(
                pk, form.get("carrier", ""), form.get("tracking_no", ""), store_id, user_id
            ),
            "ready": lambda: services.mark_ready(pk, store_id, user_id),
            "complete": lambda: services.complete_order(pk, store_id, user_id, form.get("pickup_code", "")),
            "cancel": lambda: services.cancel_order(pk, form.get("reason", ""), store_id, user_id),
        }
        if step not in steps:
            abort(400)
        try:
            order = steps[step]()
        except DomainError as exc:
            if exc.code == "MALL_ORDER_NOT_FOUND":
                abort(404)
            flash(str(exc.message), "danger")
            return redirect(url_for("MallOrderView.show", pk=pk))
        flash(
            str(
                _l(
                    "Order %(order)s: %(status)s.",
                    order=order.order_no,
                    status=code_label(order.status, "points_mall_order_status"),
                )
            ),
            "info",
        )
        return redirect(url_for("MallOrderView.show", pk=pk))


def view_specs() -> list[ViewSpec]:
    from plugins.points_mall.printing import MallOrderPrintView

    category = dict(category="PointsMall", category_label=_l("Points mall"), category_icon="fa-gift")
    return [
        ViewSpec(MallOrderPrintView),
        ViewSpec(MallItemView, name="PointsMallItems", label=_l("Mall items"), icon="fa-gift", **category),
        ViewSpec(
            MallOrderView,
            name="PointsMallOrders",
            label=_l("Exchange orders"),
            icon="fa-exchange",
            **category,
        ),
    ]
