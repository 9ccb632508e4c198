"""Admin views: coupon rules (seed 002 field groups), generated coupons with lifecycle actions,
coupon detail with history, redemptions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template_string, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from app.actor import acting_user
from app.admin import (
    AUDIT_LABELS,
    READ_WRITE_VIEW_METHODS,
    NoEditOrDelete,
    RetailModelView,
    StoreScopedModelView,
)
from app.admin_actions import run_bulk, selected_rows
from app.errors import DomainError
from app.extensions import db
from app.formatting import code_label, html_table, register_labels, timestamp
from app.hookspecs import ViewSpec
from app.members.services import member_label
from app.org.models import Store
from app.security import scoped_store_id
from plugins.coupons import rules, services
from plugins.coupons.generation import request_generation
from plugins.coupons.models import Coupon, CouponRule, FinanceDoc, Redemption

MEDIUM_CHOICES = [("electronic", _l("Electronic")), ("physical", _l("Physical"))]
KIND_CHOICES = [("normal", _l("Normal")), ("marketing", _l("Marketing")), ("points", _l("Points exchange"))]
OFFER_CHOICES = [
    ("cash", _l("Cash voucher")),
    ("discount", _l("Discount rate")),
    ("product", _l("Product voucher")),
    ("recharge", _l("Recharge voucher")),
]
VALIDITY_CHOICES = [("days", _l("Valid days after issue")), ("until", _l("Valid until a date"))]
COUPON_STATUS_LABELS = {
    "generated": _l("Generated"),
    "collected": _l("Collected"),
    "issued": _l("Issued"),
    "redeemed": _l("Redeemed"),
    "void": _l("Void"),
    "expired": _l("Expired"),
}
ACTION_LABELS = {
    "collect": _l("Collect"),
    "issue": _l("Issue"),
    "redeem": _l("Redeem"),
    "reverse": _l("Reverse"),
    "void": _l("Void"),
    "transfer": _l("Transfer"),
    "gift": _l("Gift binding"),
}


register_labels("coupon_medium", dict(MEDIUM_CHOICES))
register_labels("coupon_kind", dict(KIND_CHOICES))
register_labels("coupon_offer", dict(OFFER_CHOICES))
register_labels("coupon_validity", dict(VALIDITY_CHOICES))
register_labels("coupon_rule_status", rules.STATUS_LABELS)
register_labels("coupon_status", COUPON_STATUS_LABELS)
register_labels("coupon_action", ACTION_LABELS)
register_labels("coupon_channel", {
    "pos": _l("POS"),
    "admin": _l("Admin"),
    "mall_claim": _l("Mall claim"),
    "mall_purchase": _l("Mall purchase"),
    "gift": _l("Gift"),
    "transfer": _l("Transfer"),
    "points_mall": _l("Points mall"),
    "wecom_guide": _l("WeCom guide"),
})
register_labels("payment_method", {
    "stored_value": _l("Stored value"), "wechat": _l("WeChat Pay"), "alipay": _l("Alipay"),
    "cash": _l("Cash"),
})
register_labels("job_name", {"coupons.generate": _l("Generate coupons")})


RULE_LABELS = {
    "org_store": _l("Creating organization"),
    "usable_stores": _l("Usable stores"),
    "name": _l("Coupon name"),
    "medium": _l("Coupon medium"),
    "kind": _l("Coupon kind"),
    "latest_claim_date": _l("Latest claim date"),
    "sale_price_fen": _l("Sale price (yuan)"),
    "reference_type": _l("Rule reference type"),
    "offer_type": _l("Offer type"),
    "face_value_fen": _l("Face value (yuan)"),
    "discount_rate": _l("Discount rate (%)"),
    "exchange_product": _l("Exchange product"),
    "excluded_categories": _l("Excluded categories"),
    "effective_date": _l("Effective date"),
    "min_order_fen": _l("Minimum order amount (yuan)"),
    "per_member_limit": _l("Per-member limit"),
    "validity_type": _l("Validity type"),
    "valid_until": _l("Valid until"),
    "valid_days": _l("Valid days"),
    "transferable": _l("Transferable to friends"),
    "code_prefix": _l("Prefix"),
    "code_suffix": _l("Suffix"),
    "code_length": _l("Numeric length"),
    "total_count": _l("Total count"),
    "start_value": _l("Start value"),
    "end_value": _l("End value"),
    "issued_count": _l("Issued count"),
    "generated_count": _l("Generated count"),
    "recharge_code_length": _l("Recharge number length"),
    "created_by": _l("Created by"),
    "changed_by": _l("Changed by"),
    "audited_by": _l("Audited by"),
    "audited_on": _l("Audited on"),
    "disabled_by": _l("Disabled by"),
    "disabled_on": _l("Disabled on"),
    "status": _l("Data status"),
    "disabled": _l("Disabled"),
    "generated_link": _l("Generated coupons"),
    **AUDIT_LABELS,
}
INFO = ["org_store", "usable_stores", "name", "medium", "kind", "latest_claim_date", "sale_price_fen"]
OFFER = [
    "offer_type",
    "face_value_fen",
    "discount_rate",
    "exchange_product",
    "excluded_categories",
    "effective_date",
    "min_order_fen",
    "per_member_limit",
    "validity_type",
    "valid_until",
    "valid_days",
    "transferable",
]
CODE = ["code_prefix", "code_suffix", "code_length", "total_count", "start_value"]
OTHER = [
    "created_by",
    "created_on",
    "changed_by",
    "changed_on",
    "audited_by",
    "audited_on",
    "disabled_by",
    "disabled_on",
    "status",
    "disabled",
]


# what to do next when a workflow step is refused, by the rule's status
NEXT_STEP = {
    "draft": _l("Save the rule first (Save), then submit it for audit."),
    "created": _l("Submit the rule for audit next (Submit)."),
    "auditing": _l("The rule waits for audit: audit or reject it."),
    "audited": _l("The rule is audited: you may disable it or generate its coupons."),
}
STEP_SOURCES = {f"{step}_rule": rules.TRANSITIONS[step] for step in ("save", "submit", "audit", "reject")}
REFUSED_STEP_CODES = ("COUPON_RULE_STATUS_INVALID", "COUPON_RULE_NOT_AUDITED")
ELECTRONIC_NORMAL = {"medium": ["electronic"], "kind": ["normal"]}
FACE_VALUE_OFFERS = {"offer_type": ["cash", "recharge"]}
# the rule form shows only the fields of the chosen medium, kind, offer and validity type
RULE_FORM_CONDITIONS = {
    "latest_claim_date": ELECTRONIC_NORMAL,
    "sale_price_fen": ELECTRONIC_NORMAL,
    "face_value_fen": FACE_VALUE_OFFERS,
    "excluded_categories": FACE_VALUE_OFFERS,
    "discount_rate": {"offer_type": ["discount"]},
    "exchange_product": {"offer_type": ["product"]},
    "recharge_code_length": {"offer_type": ["recharge"]},
    "transferable": {"medium": ["electronic"]},
    "valid_until": {"validity_type": ["until"]},
    "valid_days": {"validity_type": ["days"]},
}


def _optional(choices):
    return [("", "—")] + list(choices)


def _refusal_with_next_step(rule, exc: DomainError) -> str:
    next_step = NEXT_STEP.get(rule.status) if exc.code in REFUSED_STEP_CODES else None
    return f"{exc.message}" + (f" {next_step}" if next_step else "")


class CouponRuleView(RetailModelView):
    """券注册发行: HQ registers, audits, disables and generates coupon rules."""

    datamodel = SQLAInterface(CouponRule)
    class_permission_name = "CouponRules"
    method_permission_name = {
        **READ_WRITE_VIEW_METHODS,
        **dict.fromkeys(
            (
                "save_rule",
                "submit_rule",
                "audit_rule",
                "reject_rule",
                "disable_rule",
                "enable_rule",
                "generate",
            ),
            "write",
        ),
    }
    list_title = _l("Coupon rules")
    show_title = _l("Coupon rule")
    add_title = _l("Add coupon rule")
    edit_title = _l("Edit coupon rule")
    list_columns = [
        "name",
        "medium",
        "kind",
        "offer_type",
        "face_value_fen",
        "status",
        "disabled",
        "issued_count",
        "total_count",
    ]
    search_columns = ["name", "medium", "kind", "offer_type", "status", "disabled"]
    order_columns = ["name", "status", "issued_count"]
    add_columns = edit_columns = INFO + OFFER + CODE + ["recharge_code_length"]
    add_fieldsets = edit_fieldsets = [
        (_l("Coupon information"), {"fields": INFO}),
        (_l("Coupon description"), {"fields": OFFER}),
        (_l("Coupon code rule"), {"fields": CODE + ["recharge_code_length"]}),
    ]
    show_fieldsets = [
        (_l("Coupon information"), {"fields": INFO + ["reference_type"]}),
        (_l("Coupon description"), {"fields": OFFER}),
        (
            _l("Coupon code rule"),
            {
                "fields": CODE
                + ["end_value", "issued_count", "generated_count", "recharge_code_length", "generated_link"]
            },
        ),
        (_l("Other"), {"fields": OTHER}),
    ]
    label_columns = RULE_LABELS
    form_conditions = RULE_FORM_CONDITIONS
    action_order = [
        "save_rule", "submit_rule", "audit_rule", "reject_rule", "generate", "disable_rule", "enable_rule",
    ]
    description_columns = {
        "medium": _l("Physical coupons are always of the normal kind."),
        "latest_claim_date": _l("Electronic normal coupons only; not before the effective date."),
        "sale_price_fen": _l("Electronic normal coupons only: when set, members must buy the coupon."),
        "face_value_fen": _l("Cash and recharge vouchers only, in yuan, e.g. 10.00."),
        "discount_rate": _l("Discount-rate coupons only: the percentage paid (80 = 20% off)."),
        "exchange_product": _l("Product vouchers only: one unit of it becomes free."),
        "excluded_categories": _l("Cash and recharge vouchers only."),
        "usable_stores": _l("Empty = every store."),
        "start_value": _l("The end value is computed: start value + total count - 1."),
        "recharge_code_length": _l("Recharge vouchers only: random numbers of 15 to 20 digits."),
        "transferable": _l("Electronic coupons only."),
    }
    label_kinds = {
        "medium": "coupon_medium",
        "kind": "coupon_kind",
        "offer_type": "coupon_offer",
        "validity_type": "coupon_validity",
        "status": "coupon_rule_status",
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "medium": SelectField(_l("Coupon medium"), choices=MEDIUM_CHOICES, widget=Select2Widget()),
        "kind": SelectField(_l("Coupon kind"), choices=KIND_CHOICES, widget=Select2Widget()),
        "offer_type": SelectField(_l("Offer type"), choices=OFFER_CHOICES, widget=Select2Widget()),
        "validity_type": SelectField(_l("Validity type"), choices=VALIDITY_CHOICES, widget=Select2Widget()),
        "transferable": BooleanField(_l("Transferable to friends"), validators=[Optional()]),
        "code_prefix": StringField(
            _l("Prefix"), validators=[Optional(), Length(max=10)], widget=BS3TextFieldWidget()
        ),
        "code_suffix": StringField(
            _l("Suffix"), validators=[Optional(), Length(max=10)], widget=BS3TextFieldWidget()
        ),
    }

    def allowed_actions(self, item):
        if item.status == "audited":
            if item.disabled:
                return {"enable_rule"}
            return {"disable_rule"} | ({"generate"} if item.medium == "physical" else set())
        return {name for name, (source, _target) in STEP_SOURCES.items() if source == item.status}

    def pre_add(self, item):
        if item.org_store_id is None and item.org_store is None:
            staff_store = scoped_store_id()
            item.org_store_id = staff_store or None
        item.status = "draft"
        self._check(item, complete=False)

    def pre_update(self, item):
        if item.status not in rules.EDITABLE_STATUSES:
            raise ValueError(str(_l("Only draft and created rules can be changed.")))
        self._check(item, complete=item.status != "draft")

    def pre_delete(self, item):
        if item.status != "draft":
            raise ValueError(str(_l("Only draft rules can be deleted.")))

    @staticmethod
    def _check(item, complete):
        try:
            rules.validate_rule(item, complete=complete)
        except DomainError as exc:  # shown as a flash (the admin base rolls the save back)
            raise ValueError(str(exc.message)) from exc

    def _each(self, items, run, done_message):
        return run_bulk(self, items, run, lambda rule: rule.name, done_message, _refusal_with_next_step)

    @action("save_rule", _l("Save"), _l("Save the selected drafts (status: created)?"), "fa-save")
    def save_rule(self, items):
        return self._each(items, lambda r: rules.transition(r, "save", acting_user()), _l("Saved."))

    @action("submit_rule", _l("Submit"), _l("Submit the selected rules for audit?"), "fa-paper-plane")
    def submit_rule(self, items):
        return self._each(items, lambda r: rules.transition(r, "submit", acting_user()), _l("Submitted."))

    @action("audit_rule", _l("Audit"), _l("Audit the selected rules?"), "fa-check")
    def audit_rule(self, items):
        return self._each(items, lambda r: rules.transition(r, "audit", acting_user()), _l("Audited."))

    @action("reject_rule", _l("Reject"), _l("Send the selected rules back to created?"), "fa-undo")
    def reject_rule(self, items):
        return self._each(items, lambda r: rules.transition(r, "reject", acting_user()), _l("Rejected."))

    @action(
        "disable_rule", _l("Disable"), _l("Disable the selected rules? Held coupons stay usable."), "fa-ban"
    )
    def disable_rule(self, items):
        return self._each(items, lambda r: rules.set_disabled(r, True, acting_user()), _l("Disabled."))

    @action("enable_rule", _l("Enable"), _l("Enable the selected rules again?"), "fa-play")
    def enable_rule(self, items):
        return self._each(items, lambda r: rules.set_disabled(r, False, acting_user()), _l("Enabled."))

    @action("generate", _l("Generate"), _l("Generate the coupons of the selected physical rules?"), "fa-cogs")
    def generate(self, items):
        return self._each(
            items,
            lambda r: request_generation(r, acting_user()),
            _l("Generation started: see Jobs for its progress."),
        )


def _generated_link(rule):
    url = url_for("CouponView.list", _flt_0_rule=rule.id)
    return Markup('<a href="{}">{}</a>').format(url, _l("View generated"))


CouponRule.generated_link = property(_generated_link)


COLLECT_FORM = """
{% extends "appbuilder/base.html" %}
{% block content %}
<h3>{{ title }}</h3>
<form method="post">
  {% for pk in ids %}<input type="hidden" name="rowid" value="{{ pk }}">{% endfor %}
  <p>{{ count_text }}</p>
  <select name="store_id" class="form-control" style="max-width:20em">
    {% for store in stores %}
    <option value="{{ store.id }}">{{ store.code }} {{ store.name }}</option>
    {% endfor %}
  </select>
  <p></p><button type="submit" class="btn btn-primary">{{ submit }}</button>
</form>
{% endblock %}
"""


ADD_HINT = """{% extends base_template %}
{% block content %}
<div class="panel panel-default"><div class="panel-heading"><h4>{{ title }}</h4></div>
<div class="panel-body"><p>{{ hint }}</p>
<a class="btn btn-primary" href="{{ rules_link }}">{{ rules_text }}</a></div></div>
{% endblock %}
"""


# the statuses each lifecycle action starts from (as collect_coupons, issue_physical, void_coupons)
COUPON_ACTION_SOURCES = {
    "collect": ("generated",),
    "issue": ("collected",),
    "void": ("generated", "collected", "issued"),
}


class CouponView(NoEditOrDelete, StoreScopedModelView):
    """Generated and issued coupons with their lifecycle actions (领用 / 发放 / 作废)."""

    datamodel = SQLAInterface(Coupon)
    class_permission_name = "Coupons"
    method_permission_name = {
        **READ_WRITE_VIEW_METHODS,
        **dict.fromkeys(("collect", "collect_form", "issue", "void"), "write"),
    }
    list_title = _l("Coupons")
    show_title = _l("Coupon")
    list_columns = ["code", "rule", "status_label", "store", "member", "channel", "valid_to", "issued_on"]
    search_columns = ["code", "rule", "status", "store", "channel"]
    formatters_columns = {"member": member_label}  # through retail_present_member (privacy masks it)
    order_columns = ["code", "valid_to", "issued_on"]
    show_columns = [
        "code",
        "rule",
        "batch",
        "status_label",
        "store",
        "member",
        "channel",
        "app_id",
        "price_fen",
        "payment_method",
        "valid_from",
        "valid_to",
        "issued_on",
        "redeemed_on",
        "created_on",
        "history_table",
    ]
    base_permissions = ["can_read", "can_write"]  # write = lifecycle actions; rows are never edited by hand
    label_kinds = {"channel": "coupon_channel", "payment_method": "payment_method"}
    label_columns = {
        "code": _l("Coupon code"),
        "rule": _l("Coupon rule"),
        "batch": _l("Batch"),
        "status": _l("Status"),
        "status_label": _l("Status"),
        "store": _l("Store"),
        "member": _l("Member"),
        "channel": _l("Channel"),
        "app_id": _l("App ID"),
        "price_fen": _l("Price (yuan)"),
        "payment_method": _l("Payment method"),
        "valid_from": _l("Valid from"),
        "valid_to": _l("Valid to"),
        "issued_on": _l("Issued on"),
        "redeemed_on": _l("Redeemed on"),
        "created_on": _l("Created on"),
        "history_table": _l("History"),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_form_query_rel_fields = {}
        self.edit_form_query_rel_fields = {}

    # coupons are made by generation and issue, never typed in: no edit/delete pages, and the
    # list's "+" explains where coupons come from instead of offering a form
    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        return render_template_string(
            ADD_HINT,
            base_template=self.appbuilder.base_template,
            appbuilder=self.appbuilder,
            title=_l("Add coupons"),
            hint=_l("Coupons are not typed in one by one: open a coupon rule, have it audited, "
                    "then generate a batch of its coupons (or let members claim them in the mall)."),
            rules_link=url_for("CouponRuleView.list"),
            rules_text=_l("Go to coupon rules"),
        )

    def allowed_actions(self, item):
        """Only the lifecycle steps the coupon's status allows (the services refuse the rest)."""
        return {name for name, sources in COUPON_ACTION_SOURCES.items() if item.status in sources}

    def _ids(self, items):
        return [c.id for c in selected_rows(items)]

    def _done(self, message):
        flash(str(message), "info")
        self.update_redirect()
        return redirect(self.get_redirect())

    @action("collect", _l("Collect"), _l("Collect the selected coupons to a store?"), "fa-inbox",
            single=False)
    def collect(self, items):
        """HQ hands generated coupons to a store (a store manager: to their own store)."""
        ids = self._ids(items)
        own = scoped_store_id()
        if own is not None:
            try:
                services.collect_coupons(ids, own, acting_user().id)
            except DomainError as exc:
                flash(str(exc.message), "danger")
                return redirect(self.get_redirect())
            return self._done(_l("Collected %(n)s coupon(s).", n=len(ids)))
        return redirect(url_for("CouponView.collect_form", ids=",".join(map(str, ids))))

    @expose("/collect", methods=["GET", "POST"])
    @has_access
    def collect_form(self):
        if scoped_store_id() is not None:
            abort(403)
        if request.method == "POST":
            ids = [int(pk) for pk in request.form.getlist("rowid") if pk.isdigit()]
            store_id = request.form.get("store_id", type=int)
            try:
                services.collect_coupons(ids, store_id, acting_user().id)
                flash(str(_l("Collected %(n)s coupon(s).", n=len(ids))), "info")
            except DomainError as exc:
                flash(str(exc.message), "danger")
            return redirect(url_for("CouponView.list"))
        ids = [pk for pk in request.args.get("ids", "").split(",") if pk.isdigit()]
        stores = db.session.query(Store).filter_by(status="active").order_by(Store.code).all()
        return render_template_string(
            COLLECT_FORM,
            base_template=self.appbuilder.base_template,
            appbuilder=self.appbuilder,
            ids=ids,
            stores=stores,
            title=_l("Collect coupons to a store"),
            submit=_l("Collect"),
            count_text=_l("%(n)s coupon(s) selected. Choose the store that collects them:", n=len(ids)),
        )

    @action("issue", _l("Issue to bearer"), _l("Issue the selected collected coupons to bearers?"), "fa-gift")
    def issue(self, items):
        ids = self._ids(items)
        try:
            for coupon_id in ids:
                services.issue_physical(coupon_id, scoped_store_id(), None, acting_user().id, channel="admin")
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return redirect(self.get_redirect())
        return self._done(_l("Issued %(n)s coupon(s).", n=len(ids)))

    @action("void", _l("Void"), _l("Void the selected coupons? They can no longer be used."), "fa-ban")
    def void(self, items):
        ids = self._ids(items)
        try:
            services.void_coupons(ids, scoped_store_id(), acting_user().id)
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return redirect(self.get_redirect())
        return self._done(_l("Voided %(n)s coupon(s).", n=len(ids)))


def _status_label(coupon):
    return COUPON_STATUS_LABELS.get(services.display_status(coupon), coupon.status)


def _history_table(coupon):
    rows = []
    if coupon.batch is not None:
        generated = COUPON_STATUS_LABELS["generated"]
        rows.append((timestamp(coupon.created_on), _l("Generate"), generated, "", "", coupon.batch.batch_no))
    for h in coupon.history:
        rows.append((
            timestamp(h.created_on),
            code_label(h.action, "coupon_action"),
            code_label(h.to_status, "coupon_status"),
            h.store.code if h.store else "",
            h.member.member_no if h.member else "",
            h.doc_no + (" " + h.note if h.note else ""),
        ))
    headers = (_l("Time"), _l("Action"), _l("Status"), _l("Store"), _l("Member"), _l("Document"))
    return html_table(headers, rows)


Coupon.status_label = property(_status_label)
Coupon.history_table = property(_history_table)


class RedemptionView(StoreScopedModelView):
    datamodel = SQLAInterface(Redemption)
    class_permission_name = "CouponRedemptions"
    list_title = _l("Coupon redemptions")
    base_permissions = ["can_read"]
    base_order = ("id", "desc")
    list_columns = ["created_on", "redemption_no", "coupon", "store", "order_no", "discount_fen", "reversed"]
    search_columns = ["redemption_no", "order_no", "store", "reversed"]
    label_columns = {
        "created_on": _l("Time"),
        "redemption_no": _l("Redemption no"),
        "coupon": _l("Coupon"),
        "store": _l("Store"),
        "order_no": _l("Order no"),
        "discount_fen": _l("Discount (yuan)"),
        "reversed": _l("Reversed"),
        "order_total_fen": _l("Order total (yuan)"),
        "reverse_doc_no": _l("Reversed by"),
        "stored_value_txn_no": _l("Stored-value transaction"),
    }


register_labels("coupon_finance_doc", {"other_receivable": _l("Other receivable"), "receipt": _l("Receipt")})


class FinanceDocView(RetailModelView):
    """Other receivables (其他应收单) and receipts (收款单) pushed by coupon purchases (HQ, read-only)."""

    datamodel = SQLAInterface(FinanceDoc)
    class_permission_name = "CouponFinanceDocs"
    list_title = _l("Coupon finance documents")
    base_permissions = ["can_read"]
    base_order = ("id", "desc")
    list_columns = [
        "created_on",
        "doc_no",
        "doc_type",
        "coupon",
        "member",
        "amount_fen",
        "payment_method",
        "payment_ref",
        "channel",
    ]
    search_columns = ["doc_no", "doc_type", "payment_method", "channel"]
    label_kinds = {
        "doc_type": "coupon_finance_doc", "payment_method": "payment_method", "channel": "coupon_channel",
    }
    label_columns = {
        "created_on": _l("Time"),
        "doc_no": _l("Document no"),
        "doc_type": _l("Document type"),
        "coupon": _l("Coupon"),
        "member": _l("Member"),
        "amount_fen": _l("Amount (yuan)"),
        "payment_method": _l("Payment method"),
        "payment_ref": _l("Payment reference"),
        "channel": _l("Channel"),
    }


def view_specs() -> list[ViewSpec]:
    from plugins.coupons.printing import CouponSheetView

    category = dict(category="Coupons", category_label=_l("Coupons"), category_icon="fa-ticket")
    return [
        ViewSpec(CouponSheetView),  # printable coupon sheets, no menu entry
        ViewSpec(
            CouponRuleView, name="CouponRules", label=_l("Coupon rules"), icon="fa-list-alt", **category
        ),
        ViewSpec(CouponView, name="CouponList", label=_l("Coupons"), icon="fa-ticket", **category),
        ViewSpec(
            FinanceDocView,
            name="CouponFinanceDocs",
            label=_l("Coupon finance documents"),
            icon="fa-file-text-o",
            **category,
        ),
        ViewSpec(
            RedemptionView,
            name="CouponRedemptions",
            label=_l("Coupon redemptions"),
            icon="fa-check",
            **category,
        ),
    ]
