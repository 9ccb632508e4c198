"""Admin pages: service providers and their logins (HQ), trade-in orders for merchant reviewers,
providers and store staff (one list, scoped by ``services.visibility``), the quote and re-quote
forms on an order's page, and the guide's "take in a device" form."""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import Role, User
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import BooleanField
from wtforms.validators import DataRequired

from app.actor import acting_user
from app.admin import AUDIT_LABELS, RetailModelView, check_csrf
from app.admin_fields import Section
from app.errors import DomainError
from app.extensions import db
from app.formatting import (
    choices_of,
    code_label,
    html_table,
    link,
    money,
    parse_yuan,
    register_labels,
    timestamp,
)
from app.roles import SERVICE_PROVIDER
from app.security import FilterStoreScope, current_staff, scoped_store_id
from plugins.recycle import services
from plugins.recycle.models import (
    BIDDING,
    CATEGORIES,
    COMPLETED,
    CONDITION_CHECKS,
    MODES,
    PAID,
    PENDING_REVIEW,
    PROVIDER_MODES,
    QUOTED,
    SETTLEMENT_METHODS,
    RecycleOrder,
    RecyclePhoto,
    RecycleProvider,
    RecycleProviderUser,
)
from plugins.recycle.settings import REQUOTE
from plugins.recycle.view_helpers import visible_order_or_404

register_labels(
    "recycle_state",
    {
        "pending_review": _l("Pending review"),
        "quoted": _l("Quoted, awaiting payment"),
        "paid": _l("Paid"),
        "completed": _l("Completed"),
        "cancelled": _l("Cancelled"),
    },
)
register_labels("recycle_mode", services.MODE_LABELS)
register_labels(
    "recycle_category",
    {
        "phone": _l("Mobile phone"),
        "tablet": _l("Tablet"),
        "laptop": _l("Laptop"),
        "watch": _l("Watch"),
        "other": _l("Other device"),
    },
)
register_labels(
    "recycle_settlement",
    {
        "payment_code": _l("Payment QR code"),
        "purchase_credit": _l("Credit for a new purchase"),
    },
)
register_labels(
    "recycle_condition",
    {
        "powers_on": _l("Powers on"),
        "screen_intact": _l("Screen intact"),
        "screen_scratched": _l("Screen scratched"),
        "body_dented": _l("Body dented"),
        "water_damage": _l("Water damage"),
        "battery_ok": _l("Battery healthy"),
        "buttons_ok": _l("Buttons work"),
        "camera_ok": _l("Camera works"),
        "biometrics_ok": _l("Fingerprint/face ID works"),
        "account_removed": _l("Accounts signed out"),
    },
)
register_labels("message_kind", {"recycle": _l("Trade-in")})
register_labels("sms_template", {
    "recycle_quoted": _l("Trade-in quoted"),
    "recycle_requote": _l("Trade-in re-quote"),
})


# ---------------------------------------------------------------- providers (HQ)
class ProviderView(RetailModelView):
    datamodel = SQLAInterface(RecycleProvider)
    class_permission_name = "RecycleProviders"
    list_title = _l("Service providers")
    add_title = _l("Add a service provider")
    edit_title = _l("Edit the service provider")
    show_title = _l("Service provider")
    list_columns = ["name", "contact_name", "contact_phone", "settlement_account", "active"]
    add_columns = edit_columns = ["name", "contact_name", "contact_phone", "settlement_account", "active"]
    search_columns = ["name", "contact_name", "contact_phone", "active"]
    add_form_extra_fields = edit_form_extra_fields = {
        "active": BooleanField(_l("Active"), default=True),  # FAB would require a ticked box
    }
    label_columns = {
        "name": _l("Provider name"),
        "contact_name": _l("Contact"),
        "contact_phone": _l("Contact phone"),
        "settlement_account": _l("Settlement account"),
        "active": _l("Active"),
        **AUDIT_LABELS,
    }

    def pre_add(self, item):
        from app.members.services import validate_phone

        item.name = (item.name or "").strip()
        if not item.name:
            raise DomainError("VALIDATION_ERROR", _l("Enter the provider's name."), field="name")
        if item.contact_phone:
            try:
                validate_phone(item.contact_phone)
            except DomainError as err:
                raise DomainError(err.code, err.message, field="contact_phone") from None

    pre_update = pre_add


def provider_logins():
    """The dropdown of logins that may be bound to a provider: role ServiceProvider."""
    return (
        db.session.query(User).join(User.roles).filter(Role.name == SERVICE_PROVIDER).order_by(User.username)
    )


class ProviderUserView(RetailModelView):
    """Which login works for which provider (like a staff member's store)."""

    datamodel = SQLAInterface(RecycleProviderUser)
    class_permission_name = "RecycleProviderUsers"
    list_title = _l("Provider logins")
    add_title = _l("Bind a login to a service provider")
    edit_title = _l("Edit the provider login")
    show_title = _l("Provider login")
    list_columns = ["user", "provider"]
    add_columns = edit_columns = ["user", "provider"]
    search_columns = ["provider"]
    label_columns = {"user": _l("Login"), "provider": _l("Service provider"), **AUDIT_LABELS}
    description_columns = {"user": _l("Only logins of role ServiceProvider are offered.")}
    add_form_extra_fields = edit_form_extra_fields = {
        "user": QuerySelectField(
            _l("Login"),
            query_func=provider_logins,
            get_pk_func=lambda user: user.id,
            widget=Select2Widget(),
            validators=[DataRequired()],
        ),
    }

    def pre_add(self, item):
        if item.user is None or SERVICE_PROVIDER not in {r.name for r in item.user.roles}:
            raise DomainError("VALIDATION_ERROR", _l("Choose a login of role ServiceProvider."), field="user")

    pre_update = pre_add


# ---------------------------------------------------------------- trade-in orders
class FilterVisibleOrders(BaseFilter):
    """Base filter: what the viewer may see (``services.visibility``)."""

    name = "Visible trade-ins"
    arg_name = None

    def apply(self, query, value):
        return query.filter(services.visibility(acting_user()))


ORDER_METHODS = {
    "list": "read",
    "show": "read",
    "photo": "read",
    "quote": "write",
    "requote": "write",
    "cancel": "write",
}


def _form(action: str, body: Markup, confirm=None) -> Markup:
    onsubmit = Markup(' onsubmit="return confirm(%s)"') % Markup(repr(str(confirm))) if confirm else ""
    return Markup(
        '<form method="post" action="%s" class="form-inline"%s>'
        '<input type="hidden" name="csrf_token" value="%s">%s</form>'
    ) % (action, onsubmit, generate_csrf(), body)


class RecycleOrderView(RetailModelView):
    datamodel = SQLAInterface(RecycleOrder)
    class_permission_name = "RecycleOrders"
    method_permission_name = ORDER_METHODS
    base_permissions = ["can_read", "can_write"]  # no add/edit/delete: orders change through services
    base_filters = [["id", FilterVisibleOrders, None]]
    base_order = ("id", "desc")
    list_title = _l("Trade-in orders")
    show_title = _l("Trade-in order")
    list_columns = [
        "order_no",
        "store",
        "mode",
        "category",
        "brand",
        "model",
        "state",
        "quote_fen",
        "provider",
        "created_on",
    ]
    show_columns = [
        "order_no",
        "state",
        "mode",
        "provider",
        "store",
        "guide",
        "member",
        "customer_name",
        "customer_phone",
        "category",
        "brand",
        "model",
        "capacity",
        "colour",
        "imei",
        "serial_no",
        "condition",
        "remark",
        "settlement_method",
        "quote_fen",
        "quoted_at",
        "requote_count",
        "paid_at",
        "completed_at",
        "cancelled_at",
        "created_on",
    ]
    search_columns = [
        "order_no",
        "state",
        "mode",
        "store",
        "provider",
        "brand",
        "model",
        "imei",
        "created_on",
    ]
    label_kinds = {
        "state": "recycle_state",
        "mode": "recycle_mode",
        "category": "recycle_category",
        "settlement_method": "recycle_settlement",
    }
    label_columns = {
        "order_no": _l("Trade-in no."),
        "state": _l("Status"),
        "mode": _l("Mode"),
        "provider": _l("Service provider"),
        "store": _l("Store"),
        "guide": _l("Guide"),
        "member": _l("Member"),
        "customer_name": _l("Customer name"),
        "customer_phone": _l("Customer phone"),
        "category": _l("Category"),
        "brand": _l("Brand"),
        "model": _l("Model"),
        "capacity": _l("Capacity"),
        "colour": _l("Colour"),
        "imei": _l("IMEI"),
        "serial_no": _l("Serial no."),
        "condition": _l("Condition"),
        "remark": _l("Remark"),
        "settlement_method": _l("Settlement method"),
        "quote_fen": _l("Quote (yuan)"),
        "quoted_at": _l("Quoted at"),
        "requote_count": _l("Re-quotes"),
        "paid_at": _l("Paid at"),
        "completed_at": _l("Completed at"),
        "cancelled_at": _l("Cancelled at"),
        "created_on": _l("Taken in at"),
    }
    formatters_columns = {
        "condition": lambda keys: ", ".join(code_label(k, "recycle_condition") for k in keys or []),
    }

    search_form_query_rel_fields = {"store": [["id", FilterStoreScope, None]]}

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        """The customer's fields as the viewer may see them (``services.shown_customer``: masked
        for a service provider)."""
        widgets = super()._get_show_widget(pk, item, widgets, actions, show_fieldsets)
        values = widgets["show"].template_args["value_columns"]
        for column, value in services.shown_customer(acting_user(), item).items():
            values[self.show_columns.index(column)] = value
        return widgets

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        visible_order_or_404(pk)
        return super().show(pk)

    @expose("/photo/<int:photo_id>")
    @has_access
    def photo(self, photo_id: int):
        try:
            photo = services.visible_photo(acting_user(), photo_id)
        except DomainError:
            abort(404)
        path = services.photo_path(photo)
        if not path.is_file():
            abort(404)
        response = Response(path.read_bytes(), mimetype=photo.content_type)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @expose("/quote/<int:pk>", methods=["POST"])
    @has_access
    def quote(self, pk: int):
        check_csrf()
        order = visible_order_or_404(pk)
        try:
            amount = parse_yuan(request.form.get("amount", ""))
            services.quote(acting_user(), order.id, amount, request.form.get("remark", ""))
        except DomainError as err:
            flash(str(err.message), "danger")
        except ValueError as bad_amount:  # parse_yuan's localized message
            flash(str(bad_amount), "danger")
        else:
            flash(str(_l("Quoted.")), "success")
        return redirect(url_for("RecycleOrderView.show", pk=order.id))

    @expose("/requote/<int:pk>", methods=["POST"])
    @has_access
    def requote(self, pk: int):
        check_csrf()
        order = visible_order_or_404(pk)
        try:
            services.requote(acting_user(), order.id, request.form.get("confirm") == "yes")
        except DomainError as err:
            flash(str(err.message), "danger")
        else:
            flash(str(_l("Re-quote requested: the order is pending review again.")), "success")
        return redirect(url_for("RecycleOrderView.show", pk=order.id))

    @expose("/cancel/<int:pk>", methods=["POST"])
    @has_access
    def cancel(self, pk: int):
        check_csrf()
        order = visible_order_or_404(pk)
        try:
            services.cancel(acting_user(), order.id, request.form.get("reason", ""))
        except DomainError as err:
            flash(str(err.message), "danger")
        else:
            flash(str(_l("Cancelled.")), "success")
        return redirect(url_for("RecycleOrderView.show", pk=order.id))

    # ------------------------------------------------------------ the detail page
    def related_pages(self, item) -> list[Markup]:
        """Links to the order's bidding page (a bidding-mode order) and its settlement page (once
        quoted, not cancelled), for a viewer who may open them."""
        has_access = self.appbuilder.sm.has_access
        links = []
        if item.mode == BIDDING and has_access("can_read", "RecycleBids"):
            links.append(link(url_for("RecycleBiddingView.detail", order_id=item.id), _l("Bidding")))
        if item.state in (QUOTED, PAID, COMPLETED) and has_access("can_read", "RecycleSettlement"):
            links.append(link(url_for("RecycleSettlementView.order", order_id=item.id), _l("Settlement")))
        return links

    def detail_sections(self, item) -> list[Section]:
        user = acting_user()
        sections = []
        pages = self.related_pages(item)
        if pages:
            sections.append(Section("pages", _l("Bidding and settlement"), Markup(" · ").join(pages)))
        photos = db.session.query(RecyclePhoto).filter_by(order_id=item.id).order_by(RecyclePhoto.id).all()
        if photos:
            sections.append(
                Section(
                    "photos",
                    _l("Photos"),
                    Markup("").join(
                        Markup(
                            '<a href="%s" target="_blank"><img src="%s" alt="%s" style="max-height:160px;'
                            'margin:0 8px 8px 0;border:1px solid #ddd"></a>'
                        )
                        % (
                            url_for("RecycleOrderView.photo", photo_id=p.id),
                            url_for("RecycleOrderView.photo", photo_id=p.id),
                            _l("Photo of the device"),
                        )
                        for p in photos
                    ),
                )
            )
        reviewer = services.may_review(item, user)
        contact = services.guide_phone(item) if reviewer else services.reviewer_phone(item)
        if contact:
            title = _l("Guide phone") if reviewer else _l("Reviewer phone")
            sections.append(Section("contact", title, Markup('<a href="tel:%s">%s</a>') % (contact, contact)))
        history = services.quote_history(item.id)
        if history:
            sections.append(
                Section(
                    "quotes",
                    _l("Quote history"),
                    html_table(
                        (
                            _l("Quote (yuan)"),
                            _l("Quoted at"),
                            _l("Quoted by"),
                            _l("Service provider"),
                            _l("Superseded at"),
                        ),
                        [
                            (
                                money(q.amount_fen),
                                timestamp(q.created_on),
                                q.quoted_by.username if q.quoted_by else "",
                                q.provider.name if q.provider else "",
                                timestamp(q.superseded_at) if q.superseded_at else "",
                            )
                            for q in history
                        ],
                    ),
                )
            )
        sections.append(
            Section(
                "transitions",
                _l("Status history"),
                html_table(
                    (_l("From"), _l("To"), _l("By"), _l("At"), _l("Note")),
                    [
                        (
                            code_label(t.from_state, "recycle_state") if t.from_state else "",
                            code_label(t.to_state, "recycle_state"),
                            t.user.username if t.user else "",
                            timestamp(t.created_on),
                            t.note,
                        )
                        for t in services.transitions_of(item.id)
                    ],
                ),
            )
        )
        if item.state == PENDING_REVIEW and reviewer:
            sections.append(
                Section(
                    "quote",
                    _l("Quote"),
                    _form(
                        url_for("RecycleOrderView.quote", pk=item.id),
                        Markup(
                            '<input class="form-control" name="amount" id="quote-amount" inputmode="decimal" '
                            'placeholder="%s" required> '
                            '<input class="form-control" name="remark" maxlength="200" placeholder="%s"> '
                            '<button class="btn btn-primary" type="submit">%s</button>'
                        )
                        % (_l("Yuan, e.g. 1280.00"), _l("Remark"), _l("Quote")),
                    ),
                )
            )
        store_side = scoped_store_id(user) not in (None, 0) and services.provider_id_of(user) is None
        if store_side and item.state == QUOTED and services.get_setting(REQUOTE):
            sections.append(
                Section(
                    "requote",
                    _l("Re-quote"),
                    _form(
                        url_for("RecycleOrderView.requote", pk=item.id),
                        Markup(
                            '<input type="hidden" name="confirm" value="yes"><p>%s</p>'
                            '<button class="btn btn-warning" type="submit" id="requote">%s</button>'
                        )
                        % (
                            _l("The order goes back to pending review; the current price stays in the "
                               "quote history."),
                            _l("Request a re-quote"),
                        ),
                        confirm=_l("Request a re-quote of this trade-in?"),
                    ),
                )
            )
        return sections


# ---------------------------------------------------------------- the guide's intake form
INTAKE_FIELDS = (
    "mode",
    "provider_id",
    "settlement_method",
    "category",
    "brand",
    "model",
    "capacity",
    "colour",
    "imei",
    "serial_no",
    "remark",
    "member_phone",
    "customer_phone",
    "customer_name",
)
ERROR_FIELDS = {
    "RECYCLE_IMEI_INVALID": "imei",
    "RECYCLE_DEVICE_ID_REQUIRED": "imei",
    "INVALID_PHONE": "customer_phone",
    "MEMBER_NOT_FOUND": "member_phone",
    "RECYCLE_CUSTOMER_REQUIRED": "customer_phone",
    "RECYCLE_PROVIDER_REQUIRED": "provider_id",
    "RECYCLE_PROVIDER_NOT_FOUND": "provider_id",
    "RECYCLE_PHOTOS_REQUIRED": "photos",
    "RECYCLE_PHOTO_TYPE_INVALID": "photos",
    "RECYCLE_PHOTO_TOO_LARGE": "photos",
    "RECYCLE_MODE_INVALID": "mode",
}


class IntakeView(BaseView):
    """Take in a device (store staff): the trade-in form with its photos."""

    template_folder = str(Path(__file__).resolve().parent / "templates")  # this plugin's own templates

    route_base = "/recycle-intake"
    class_permission_name = "RecycleIntake"
    method_permission_name = {"form": "read", "submit": "write"}
    default_view = "form"

    def _render(self, values=None, errors=None):
        providers = (
            db.session.query(RecycleProvider).filter_by(active=True).order_by(RecycleProvider.name).all()
        )
        return self.render_template(
            "recycle/intake.html",
            values=values
            or {
                "mode": "self_operated",
                "category": "phone",
                "settlement_method": "payment_code",
                "condition": [],
            },
            errors=errors or {},
            providers=providers,
            title=_l("Take in a device"),
            modes=choices_of("recycle_mode"),
            categories=choices_of("recycle_category"),
            settlements=choices_of("recycle_settlement"),
            checks=choices_of("recycle_condition"),
            provider_modes=PROVIDER_MODES,
        )

    @expose("/")
    @has_access
    def form(self):
        return self._render()

    @expose("/", methods=["POST"])
    @has_access
    def submit(self):
        check_csrf()
        values = {k: (request.form.get(k) or "").strip() for k in INTAKE_FIELDS}
        values["condition"] = [c for c in request.form.getlist("condition") if c in CONDITION_CHECKS]
        store_id = scoped_store_id()
        if store_id in (None, 0):
            flash(str(_l("This needs an account bound to a store.")), "danger")
            return self._render(values)
        user = acting_user()
        try:
            data = self._data(values, user, store_id)
            photo_ids = [
                services.save_photo(store_id, user, f.read(services.max_photo_bytes() + 1)).id
                for f in request.files.getlist("photos")
                if f and f.filename
            ]
            staff = current_staff()
            order = services.create_order(
                user, store_id, staff.id if staff else None, {**data, "photo_ids": photo_ids}
            )
        except DomainError as err:
            field = err.details.get("field") or ERROR_FIELDS.get(err.code)
            if field in (
                "provider",
                "photos",
                "imei",
                "customer_phone",
                "mode",
                "category",
                "condition",
                "settlement_method",
                "provider_id",
                "member_phone",
            ):
                return self._render(
                    values, {"provider_id" if field == "provider" else field: str(err.message)}
                )
            flash(str(err.message), "danger")
            return self._render(values)
        flash(str(_l("Trade-in %(no)s taken in: pending review.", no=order.order_no)), "success")
        return redirect(url_for("RecycleOrderView.show", pk=order.id))

    @staticmethod
    def _data(values, user, store_id) -> dict:
        from app.members.services import members_by_phone

        data = {
            k: values[k]
            for k in (
                "mode",
                "settlement_method",
                "category",
                "brand",
                "model",
                "capacity",
                "colour",
                "serial_no",
                "remark",
                "customer_phone",
                "customer_name",
            )
        }
        data["condition"] = values["condition"]
        data["imei"] = values["imei"] or None
        if values["mode"] not in MODES:
            raise DomainError("RECYCLE_MODE_INVALID", _l("Unknown trade-in mode."), field="mode")
        for key, allowed in (("category", CATEGORIES), ("settlement_method", SETTLEMENT_METHODS)):
            if data[key] not in allowed:
                raise DomainError("VALIDATION_ERROR", _l("Choose one of the listed values."), field=key)
        if not data["brand"] or not data["model"]:
            raise DomainError("VALIDATION_ERROR", _l("Enter the brand and the model."), field="brand")
        provider = values["provider_id"]
        data["provider_id"] = int(provider) if provider.isdigit() else None
        if values["member_phone"]:
            found = members_by_phone(user, "api", values["member_phone"])
            if not found:
                raise DomainError("MEMBER_NOT_FOUND", _l("No member with this phone."), field="member_phone")
            data["member_id"] = found[0].id
        data["customer_phone"] = data["customer_phone"] or None
        return data
