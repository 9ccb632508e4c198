"""Admin views: shop bindings (门店管理-外卖对接), deal mappings, verifications, platform calls,
reconciliations.  Store staff see their own store only."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from app.admin import AUDIT_LABELS, RetailModelView, StoreScopedModelView
from app.formatting import choices_of, register_labels
from plugins.meituan_voucher.models import (
    DealMapping,
    PlatformCall,
    Reconciliation,
    ShopBinding,
    Verification,
)

register_labels("meituan_deal_mode", {"tender": _l("An amount (tender)"), "product": _l("A product of ours")})
register_labels("meituan_verification_status", {
    "consumed": _l("Verified"), "reversed": _l("Reversed"),
    "pending": _l("Pending confirmation"), "void": _l("Void (not verified)"),
})
register_labels("meituan_recon_status", {
    "ok": _l("Matched"), "mismatch": _l("Mismatch"), "failed": _l("Failed"),
})
register_labels("meituan_op", {
    "prepare": _l("Check voucher"), "consume": _l("Verify voucher"), "reverse": _l("Reverse verification"),
    "getconsumed": _l("Look up verification"), "querylist": _l("Daily verification list"),
})
register_labels("job_name", {"meituan_voucher.reconcile": _l("Meituan reconciliation")})


class ShopBindingView(StoreScopedModelView):
    datamodel = SQLAInterface(ShopBinding)
    class_permission_name = "MeituanShops"
    list_title = _l("Meituan shop binding")
    add_title = _l("Bind a Meituan shop")
    edit_title = _l("Edit the Meituan shop binding")
    show_title = _l("Meituan shop binding")
    list_columns = ["store", "open_shop_uuid", "shop_name", "active"]
    add_columns = edit_columns = ["store", "open_shop_uuid", "shop_name", "active"]
    add_form_extra_fields = edit_form_extra_fields = {
        "active": BooleanField(_l("Enabled"), default=True),  # FAB would require a ticked box
    }
    label_columns = {
        "store": _l("Store"),
        "open_shop_uuid": _l("Meituan shop ID"),
        "shop_name": _l("Meituan shop name"),
        "active": _l("Enabled"),
        **AUDIT_LABELS,
    }
    description_columns = {"open_shop_uuid": _l("The open shop ID Meituan gave for this store.")}


class DealMappingView(RetailModelView):
    datamodel = SQLAInterface(DealMapping)
    class_permission_name = "MeituanDeals"
    list_title = _l("Meituan deal mappings")
    add_title = _l("Map a Meituan deal")
    edit_title = _l("Edit the Meituan deal mapping")
    show_title = _l("Meituan deal mapping")
    list_columns = ["deal_id", "title", "mode", "amount_fen", "sku", "qty", "active"]
    add_columns = edit_columns = ["deal_id", "title", "mode", "amount_fen", "sku", "qty", "active"]
    search_columns = ["deal_id", "title", "mode", "active"]
    label_kinds = {"mode": "meituan_deal_mode"}
    label_columns = {
        "deal_id": _l("Deal ID"),
        "title": _l("Title"),
        "mode": _l("Pays for"),
        "amount_fen": _l("Tender amount (yuan)"),
        "sku": _l("Product SKU"),
        "qty": _l("Quantity"),
        "active": _l("Enabled"),
    }
    description_columns = {
        "mode": _l("An amount: the voucher pays that amount of the sale; "
                   "a product of ours: it stands for that product."),
        "amount_fen": _l("Empty: the deal price Meituan reports."),
    }

    add_form_extra_fields = edit_form_extra_fields = {
        "mode": SelectField(
            _l("Pays for"),
            choices=choices_of("meituan_deal_mode"),
            widget=Select2Widget(),
        ),
        "active": BooleanField(_l("Enabled"), default=True),  # FAB would require a ticked box
    }

    def pre_add(self, item):
        from plugins.meituan_voucher.services import check_deal_mapping

        check_deal_mapping(item)

    pre_update = pre_add


class VerificationView(StoreScopedModelView):
    datamodel = SQLAInterface(Verification)
    class_permission_name = "MeituanVerifications"
    base_permissions = ["can_read"]
    list_title = _l("Meituan verifications")
    list_columns = [
        "verification_no",
        "store",
        "receipt_code",
        "deal_title",
        "price_fen",
        "status",
        "order_no",
        "staff",
        "consumed_at",
    ]
    show_exclude_columns = ["live_code"]
    label_kinds = {"status": "meituan_verification_status"}
    search_columns = ["store", "receipt_code", "status", "order_no", "business_date", "deal_id"]
    base_order = ("id", "desc")
    label_columns = {
        "verification_no": _l("Verification no."),
        "store": _l("Store"),
        "receipt_code": _l("Voucher code"),
        "deal_title": _l("Deal"),
        "deal_id": _l("Deal ID"),
        "price_fen": _l("Price (yuan)"),
        "status": _l("Status"),
        "order_no": _l("Order no."),
        "staff": _l("Staff"),
        "consumed_at": _l("Verified at"),
        "business_date": _l("Business date"),
    }


class PlatformCallView(StoreScopedModelView):
    datamodel = SQLAInterface(PlatformCall)
    class_permission_name = "MeituanCalls"
    base_permissions = ["can_read"]
    list_title = _l("Meituan platform calls")
    list_columns = [
        "created_on",
        "store",
        "op",
        "receipt_code",
        "ok",
        "error_code",
        "order_no",
        "staff",
        "duration_ms",
    ]
    search_columns = ["store", "op", "receipt_code", "ok", "error_code", "order_no", "created_on"]
    label_kinds = {"op": "meituan_op"}
    base_order = ("id", "desc")
    label_columns = {
        "created_on": _l("Time"),
        "store": _l("Store"),
        "op": _l("Operation"),
        "receipt_code": _l("Voucher code"),
        "ok": _l("Succeeded"),
        "error_code": _l("Error code"),
        "order_no": _l("Order no."),
        "staff": _l("Staff"),
        "duration_ms": _l("Duration (ms)"),
        "http_status": _l("HTTP status"),
        "request": _l("Request"),
        "response": _l("Response"),
    }


class ReconciliationView(StoreScopedModelView):
    datamodel = SQLAInterface(Reconciliation)
    class_permission_name = "MeituanReconciliations"
    base_permissions = ["can_read"]
    list_title = _l("Meituan reconciliations")
    list_columns = ["business_date", "store", "status", "ours", "platform", "checked_on"]
    search_columns = ["store", "business_date", "status"]
    label_kinds = {"status": "meituan_recon_status"}
    base_order = ("id", "desc")
    label_columns = {
        "business_date": _l("Business date"),
        "store": _l("Store"),
        "status": _l("Status"),
        "ours": _l("Our verifications"),
        "platform": _l("Platform verifications"),
        "checked_on": _l("Checked on"),
        "mismatches": _l("Mismatches"),
        "message": _l("Message"),
    }
