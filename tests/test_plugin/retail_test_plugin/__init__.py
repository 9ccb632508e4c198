"""A small plugin used by the tests: it contributes through every hook of the contract.

Its manifest has the shape of every package's (core domain or plugin): metadata, the
declared contributions (``MODELS``, ``GRANTS``, ``SETTINGS``, ``JOBS``, ``PERIODIC``, ``COMMANDS``,
``DEMO``, ...: ``app.manifest``) and ``@hookimpl`` functions for the rest.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import DetailSection, SettingDef, ViewSpec, hookimpl
from app.roles import CASHIER, POS, menu, write

NAME = "sample"
TITLE = _l("Sample plugin")
VERSION = "1.2.3"
DESCRIPTION = _l("Exercises every kind of plugin contribution.")
DEPENDS = ()
DEFAULT_ENABLED = True
MODELS = "retail_test_plugin.models"
MIGRATIONS = "migrations/versions"
TRANSLATIONS = "translations"
JOBS = {
    "sample.count_notes": "retail_test_plugin.jobs:count_notes",
    "sample.fail": "retail_test_plugin.jobs:failing_job",
}
PERIODIC = {
    "sample.tick": "retail_test_plugin.jobs:tick",
    "sample.broken_tick": "retail_test_plugin.jobs:broken_tick",
}
COMMANDS = ["retail_test_plugin.commands:sample_hello"]
DEMO = "retail_test_plugin.models:seed_notes"

CALLS: list[tuple] = []  # (hook name, key argument) of runtime hook calls, for assertions

GRANTS = {
    CASHIER: write("SampleNotes") + menu("Samples", "SampleNotes") + write("SampleApi"),
    POS: write("SampleApi"),
}
SETTINGS = [
    SettingDef("sample.greeting", _l("Greeting"), "str", default="hello"),
    SettingDef("sample.limit", _l("Note limit"), "int", default=5, min_value=0, max_value=99),
    SettingDef("sample.loud", _l("Loud"), "bool", default=False),
]


@hookimpl
def retail_register_views(appbuilder):
    from retail_test_plugin.views import SampleNoteView

    return [
        ViewSpec(
            SampleNoteView,
            name="SampleNotes",
            label=_l("Sample notes"),
            category="Samples",
            category_label=_l("Samples"),
            icon="fa-sticky-note",
        )
    ]


@hookimpl
def retail_register_apis(appbuilder):
    from retail_test_plugin.api import SampleApi

    return [SampleApi]


@hookimpl
def retail_error_codes():
    from app.errors import error_table

    return error_table(NAME, {"SAMPLE_REFUSED": (403, "Refused by the sample plugin.")})


@hookimpl
def retail_payment_methods():
    from retail_test_plugin.tender import SampleTender

    return [SampleTender()]


@hookimpl
def retail_order_paid(order):
    CALLS.append(("retail_order_paid", order))


@hookimpl
def retail_order_returned(order, return_doc):
    CALLS.append(("retail_order_returned", return_doc))


@hookimpl
def retail_member_created(member):
    CALLS.append(("retail_member_created", member))


@hookimpl
def retail_member_logged_in(member, channel):
    CALLS.append(("retail_member_logged_in", member.phone, channel))


@hookimpl
def retail_staff_left(staff):
    CALLS.append(("retail_staff_left", staff.employee_no))


@hookimpl
def retail_member_filters(viewer, context):
    from sqlalchemy import literal

    CALLS.append(("retail_member_filters", context.get("purpose")))
    return [literal(True)]


@hookimpl
def retail_present_member(data, member, viewer, context):
    data["phone"] = data["phone"][:3] + "****" + data["phone"][-4:]


@hookimpl
def retail_member_usable(member, store_id, purpose):
    from app.errors import DomainError

    if purpose == "points" and store_id == 3:
        return DomainError("SAMPLE_REFUSED", _l("Refused by the sample plugin."))
    return None


@hookimpl
def retail_check_sale(store_id, staff_id, member):
    from app.errors import DomainError

    CALLS.append(("retail_check_sale", store_id, staff_id, member))
    if store_id == 0:  # no real store: only the hook's own test is refused
        raise DomainError("SAMPLE_REFUSED", _l("Refused by the sample plugin."))


@hookimpl
def retail_member_wallet(member, store_id):
    return {"coupons": [{"code": "SAMPLE-1", "store_id": store_id}], "sample_stamps": 3}


@hookimpl
def retail_mall_store_filters(member):
    from app.org.models import Store

    CALLS.append(("retail_mall_store_filters", getattr(member, "id", None)))
    return [Store.code != "S003"]  # the sample plugin hides the franchise store from the mall


@hookimpl
def retail_member_detail_sections(member, viewer, shown):
    from app.formatting import html_table

    body = html_table((_l("Member"), _l("Phone"), _l("Stamps")), [(shown["name"], shown["phone"], 3)])
    return [DetailSection("sample-stamps", _l("Sample stamps"), body, order=60)]


@hookimpl
def retail_member_segments():
    from app.hookspecs import MemberSegment
    from app.members.models import Member

    return [MemberSegment("sample:vip", _l("Sample stamps"), Member.name.like("VIP%"))]


@hookimpl
def retail_order_detail_sections(order, viewer):
    from app.formatting import html_table

    body = html_table((_l("Order no."), _l("Stamps")), [(order.order_no, order.paid_fen // 10000)])
    return [DetailSection("sample-order-stamps", _l("Sample stamps"), body, order=900)]


@hookimpl
def retail_order_fields(order, viewer):
    # only on orders noted "sample stamps": every other order's JSON stays the core's
    return {"sample_stamps": order.paid_fen // 10000} if order.note == "sample stamps" else None


@hookimpl
def retail_document_url(doc_no):
    from flask import url_for

    prefix, _, pk = doc_no.partition("-")
    return url_for("SampleNoteView.show", pk=int(pk)) if prefix == "NOTE" and pk.isdigit() else None
