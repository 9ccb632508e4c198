"""Admin pages (HQ): card batches (批量制卡), the card list (卡明细, with the bound member's
name) with freeze/unfreeze and export, and the card ledger."""

from __future__ import annotations

from pathlib import Path

from flask import flash, redirect
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from app.actor import acting_user
from app.admin import READ_WRITE_VIEW_METHODS, NoEditOrDelete, RetailModelView
from app.admin_actions import selected_rows
from app.docnumbers.services import next_store_doc_no
from app.formatting import code_label, register_labels, timestamp
from app.hookspecs import ViewSpec
from app.list_export import ListExportMixin
from app.members.services import member_label
from plugins.payment_code import cards
from plugins.payment_code.models import Card, CardBatch, CardTxn
from plugins.payment_code.refusal_views import PayCodeRefusalView

TEMPLATES = str(Path(__file__).resolve().parent / "templates")

register_labels("payment_code_code_kind", {
    "none": _l("No pay code"), "qr": _l("Pay QR code"), "barcode": _l("Pay barcode"),
})
register_labels("payment_code_batch_status", {
    "queued": _l("Queued"), "running": _l("Generating"), "done": _l("Done"),
})
register_labels("payment_code_card_status", {"active": _l("Card usable"), "frozen": _l("Frozen")})
register_labels("payment_code_txn_kind", {
    "issue": _l("Opening balance"), "consume": _l("Spent"), "refund": _l("Refunded"),
})
register_labels("job_name", {"payment_code.generate": _l("Make stored-value cards")})
register_labels("payment_method", {"pay_code": _l("Pay code")})
register_labels("audit_action", {
    "payment_code.card_frozen": _l("Card frozen"), "payment_code.card_unfrozen": _l("Card unfrozen"),
})

LEAK_WARNING = _l("Careful: a printed pay code works like cash. Anyone who sees or copies it can spend the "
                  "card's balance until the card is frozen. Print it only with a trusted card maker, and "
                  "freeze a card at once when it is lost.")

BATCH_LABELS = {
    "batch_no": _l("Batch number"),
    "name": _l("Batch name"),
    "count": _l("Number of cards"),
    "card_prefix": _l("Card number prefix"),
    "number_length": _l("Card number length"),
    "start_value": _l("First card number"),
    "face_value_fen": _l("Initial balance (yuan)"),
    "valid_until": _l("Valid until"),
    "code_kind": _l("Printed pay code"),
    "leak_acknowledged": _l("I understand the risk of printed pay codes"),
    "status": _l("Status"),
    "generated": _l("Cards made"),
    "created_on": _l("Created on"),
    "created_by": _l("Created by"),
}


class CardBatchView(NoEditOrDelete, RetailModelView):
    """批量制卡: HQ makes a batch of stored-value cards; a background job generates them."""

    datamodel = SQLAInterface(CardBatch)
    class_permission_name = "PayCardBatches"
    method_permission_name = READ_WRITE_VIEW_METHODS
    base_permissions = ["can_read", "can_write"]
    list_title = _l("Card batches")
    show_title = _l("Card batch")
    add_title = _l("New card batch")
    list_columns = ["batch_no", "name", "count", "generated", "face_value_fen", "code_kind", "valid_until",
                    "status", "created_on"]
    show_columns = ["batch_no", "name", "count", "generated", "card_prefix", "number_length", "start_value",
                    "face_value_fen", "valid_until", "code_kind", "leak_acknowledged", "status", "created_on",
                    "created_by"]
    add_columns = ["name", "count", "card_prefix", "number_length", "start_value", "face_value_fen",
                   "valid_until", "code_kind", "leak_acknowledged"]
    search_columns = ["batch_no", "name", "status", "code_kind"]
    order_columns = ["batch_no", "created_on"]
    base_order = ("id", "desc")
    label_columns = BATCH_LABELS
    label_kinds = {"code_kind": "payment_code_code_kind", "status": "payment_code_batch_status"}
    formatters_columns = {"created_on": timestamp}
    description_columns = {
        "count": _l("At most the setting 'Most cards in one card batch' (100,000 by default)."),
        "card_prefix": _l("Up to 10 letters or digits; a card number is the prefix and the zero-padded "
                          "number."),
        "number_length": _l("4 to 18 digits."),
        "face_value_fen": _l("Each card's opening balance, e.g. 100.00; 0 for cards topped up later."),
        "code_kind": _l("A static pay code printed on each card (QR code or barcode): read the warning "
                        "below."),
        "leak_acknowledged": LEAK_WARNING,
    }
    add_form_extra_fields = {
        "leak_acknowledged": BooleanField(BATCH_LABELS["leak_acknowledged"], description=LEAK_WARNING),
    }

    def pre_add(self, item):
        item.card_prefix = (item.card_prefix or "").strip().upper()
        item.name = (item.name or "").strip()
        item.leak_acknowledged = bool(item.leak_acknowledged)
        cards.validate_batch(item)  # a DomainError names its field: shown beside it
        item.batch_no = next_store_doc_no(cards.CARD_BATCH, None)
        item.status, item.generated = "queued", 0
        user = acting_user()
        item.created_by_fk = getattr(user, "id", None)

    def post_add(self, item):
        cards.queue_generation(item, acting_user())


CARD_LABELS = {
    "card_no": _l("Card number"),
    "batch": _l("Card batch"),
    "status": _l("Status"),
    "balance_fen": _l("Balance (yuan)"),
    "valid_until": _l("Valid until"),
    "member": _l("Member"),
    "member_name": _l("Member name"),
    "bound_on": _l("Bound on"),
    "has_pay_code": _l("Printed pay code"),
    "created_on": _l("Created on"),
}


class CardView(NoEditOrDelete, ListExportMixin, RetailModelView):
    """卡明细: every card with its balance and the bound member's name; freeze, unfreeze, export."""

    datamodel = SQLAInterface(Card)
    class_permission_name = "PayCards"
    method_permission_name = {**READ_WRITE_VIEW_METHODS, "freeze": "write", "unfreeze": "write"}
    base_permissions = ["can_read", "can_write"]
    template_folder = TEMPLATES
    export_name = "cards"
    list_title = _l("Stored-value cards")
    show_title = _l("Stored-value card")
    list_columns = ["card_no", "batch", "status", "balance_fen", "valid_until", "member", "bound_on"]
    show_columns = ["card_no", "batch", "status", "balance_fen", "valid_until", "member", "bound_on",
                    "created_on"]
    search_columns = ["card_no", "batch", "status", "member", "balance_fen", "valid_until"]
    order_columns = ["card_no", "balance_fen", "valid_until", "bound_on"]
    base_order = ("card_no", "asc")
    label_columns = CARD_LABELS
    label_kinds = {"status": "payment_code_card_status"}
    formatters_columns = {"member": member_label, "bound_on": timestamp, "created_on": timestamp}
    action_order = ["freeze", "unfreeze"]

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        return self.render_template("payment_code/add_hint.html")  # cards are made by batches

    def allowed_actions(self, item):
        return {"unfreeze"} if item.status == "frozen" else {"freeze"}

    def _toggle(self, items, frozen: bool, message):
        changed = cards.set_frozen([c.id for c in selected_rows(items)], frozen, user=acting_user())
        flash(str(message) % {"n": changed}, "info")
        self.update_redirect()
        return redirect(self.get_redirect())

    @action("freeze", _l("Freeze"), _l("Freeze the selected cards? Their pay codes stop working at once."),
            "fa-lock")
    def freeze(self, items):
        return self._toggle(items, True, _l("%(n)s cards frozen."))

    @action("unfreeze", _l("Unfreeze"), _l("Unfreeze the selected cards?"), "fa-unlock")
    def unfreeze(self, items):
        return self._toggle(items, False, _l("%(n)s cards unfrozen."))

    def export_query(self, query):
        return query.order_by(None).order_by(Card.card_no)

    def export_columns(self):
        """The card export: the list's rows with the bound member and the printed pay code."""
        viewer = acting_user()

        def member_part(index):
            def cell(card):
                shown = member_label(card.member, viewer) if card.member else ""
                return shown.partition(" ")[index]
            return cell

        return [
            (_l("Card number"), lambda card: card.card_no),
            (_l("Card batch"), lambda card: card.batch.batch_no),
            (_l("Status"), lambda card: code_label(card.status, "payment_code_card_status")),
            (_l("Balance (yuan)"), lambda card: f"{card.balance_fen / 100:.2f}"),
            (_l("Valid until"), lambda card: card.valid_until or ""),
            (_l("Member number"), member_part(0)),
            (_l("Member name"), member_part(2)),
            (_l("Printed pay code"), lambda card: cards.printed_code(card) or ""),
        ]


class CardTxnView(RetailModelView):
    """The card ledger: every opening balance, spend and refund."""

    datamodel = SQLAInterface(CardTxn)
    class_permission_name = "PayCardTxns"
    base_permissions = ["can_read"]
    list_title = _l("Card transactions")
    show_title = _l("Card transaction")
    list_columns = ["txn_no", "card", "kind", "amount_fen", "balance_after_fen", "doc_no", "store",
                    "created_on"]
    show_columns = list_columns
    search_columns = ["txn_no", "card", "kind", "doc_no", "store"]
    order_columns = ["txn_no", "created_on"]
    base_order = ("id", "desc")
    label_kinds = {"kind": "payment_code_txn_kind"}
    formatters_columns = {"created_on": timestamp}
    money_min_fen = {"amount_fen": None}
    label_columns = {
        "txn_no": _l("Transaction number"), "card": _l("Card number"), "kind": _l("Kind"),
        "amount_fen": _l("Amount (yuan)"), "balance_after_fen": _l("Balance after (yuan)"),
        "doc_no": _l("Document number"), "store": _l("Store"), "created_on": _l("Time"),
    }


def view_specs() -> list[ViewSpec]:
    category = dict(category="PayCards", category_label=_l("Stored-value cards"),
                    category_icon="fa-credit-card")
    return [
        ViewSpec(CardBatchView, name="PayCardBatchList", label=_l("Card batches"), icon="fa-clone",
                 **category),
        ViewSpec(CardView, name="PayCardList", label=_l("Card details"), icon="fa-credit-card", **category),
        ViewSpec(CardTxnView, name="PayCardTxnList", label=_l("Card transactions"), icon="fa-list",
                 **category),
        ViewSpec(PayCodeRefusalView, name="PayCodeRefusalList", label=_l("Refused pay codes"), icon="fa-ban",
                 **category),
    ]


