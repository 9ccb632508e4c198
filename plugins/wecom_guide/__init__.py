"""Plugin `wecom_guide`: WeCom shopping-guide CRM (SPEC §5.6, issue 17).

Member ownership (专属导购, unclaimed pool, claim, transfer, release when a guide leaves),
activation, the guide's mobile workbench on a ``guide/...`` JSON API, member 360, chat
materials and HQ tasks; the WeCom integration (``wecom/``: client, callback, contact-me QR,
simulator) is appended by its own section at the end.

The plugin's manifest: metadata, declared contributions (``app.manifest``) and ``@hookimpl``
functions for what needs code, nothing else.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import hookimpl
from app.roles import GUIDE, MERCHANT, STORE_MANAGER, menu, read, write

NAME = "wecom_guide"
TITLE = _l("WeCom shopping guide")
VERSION = "0.1.0"
DESCRIPTION = _l(
    "Dedicated guides for members (claim, transfer, release), the guide's mobile "
    "workbench, member 360, chat materials, HQ tasks and the WeCom integration."
)
DEPENDS = ("coupons",)
DEFAULT_ENABLED = False  # a merchant turns it on once WeCom is set up
SIDEBAR = {"Guides": 44, "WeCom": 46}  # sidebar ranks (app/menu.py): after Meituan
MODELS = "plugins.wecom_guide.models"
MIGRATIONS = "migrations/versions"
TRANSLATIONS = "translations"
SETTINGS = "plugins.wecom_guide.settings:SETTINGS"
DEMO = "plugins.wecom_guide.demo:seed_demo"
JOBS = {
    "wecom_guide.refresh_search_copies": "plugins.wecom_guide.search_copy:refresh_search_copies_job",
    "wecom_guide.retry_stuck_events": "plugins.wecom_guide.wecom.events:retry_stuck_job",
}
# with no later delivery to queue the job, the worker still takes stuck events every minute
PERIODIC = {"wecom_guide.retry_stuck": "plugins.wecom_guide.wecom.events:retry_stuck_periodic"}
COMMANDS = ["plugins.wecom_guide.commands:refresh_copies", "plugins.wecom_guide.commands:retry_events"]

GRANTS = {
    MERCHANT: write("GuideMembers")
    + read("GuideOwnershipHistory")
    + write("GuideTasks")
    + write("GuideMaterials")
    + menu(
        "Guides",
        "GuideMemberList",
        "GuideOwnershipHistoryList",
        "GuideTaskList",
        "GuideMaterialGroupList",
        "GuideMaterialList",
    ),
    STORE_MANAGER: write("GuideMembers")
    + write("GuideTasks")
    + read("GuideMaterials")
    + menu("Guides", "GuideMemberList", "GuideTaskList", "GuideMaterialList"),
    GUIDE: write("GuideWorkbench") + menu("Guides", "GuideWorkbenchPage"),
}


@hookimpl
def retail_error_codes():
    from plugins.wecom_guide.errors import ERRORS

    return ERRORS


@hookimpl
def retail_register_views(appbuilder):
    from plugins.wecom_guide.admin import view_specs

    return view_specs()


@hookimpl
def retail_register_apis(appbuilder):
    from plugins.wecom_guide.api import GuideApi

    return [GuideApi]


@hookimpl
def retail_member_filters(viewer, context):
    from plugins.wecom_guide.visibility import member_filters

    return member_filters(viewer, context)


@hookimpl
def retail_member_logged_in(member, channel):
    from plugins.wecom_guide.activation import activate_member

    if channel == "mall_sms":  # F4.16: a member registered at the POS is activated by an SMS login
        activate_member(member.id, "sms")


@hookimpl
def retail_order_paid(order):
    from plugins.wecom_guide.search_copy import note_purchase

    note_purchase(order)


@hookimpl
def retail_order_returned(order, return_doc):
    from plugins.wecom_guide.search_copy import note_return

    note_return(order)


@hookimpl
def retail_staff_left(staff):
    from plugins.wecom_guide.ownership import release_members_of

    release_members_of(staff.id)


# --- wecom: WeCom integration (contact-me QR, callback, simulator), open-bill modes, order QR ---

from app.roles import GUIDE, MERCHANT, STORE_MANAGER, menu, read, write  # noqa: E402  (wecom section)

REFERENCE_DATA = (*globals().get("REFERENCE_DATA", ()), "WeComContactWay")  # guide_qr on the sale's path
DEMO = globals().get("DEMO") or "plugins.wecom_guide.wecom.demo:seed_demo"  # a DEMO above calls ours
_WECOM_READ = read("WeComContacts") + read("WeComEvents") + read("WeComCalls")
GRANTS = {
    **GRANTS,
    MERCHANT: [*GRANTS.get(MERCHANT, []), *write("WeComGuides"), *_WECOM_READ, *write("WeComEvents"),
               *menu("WeCom", "WeComGuides", "WeComContacts", "WeComEvents", "WeComCalls")],
    STORE_MANAGER: [*GRANTS.get(STORE_MANAGER, []), *read("WeComGuides"), *menu("WeCom", "WeComGuides")],
    GUIDE: [*GRANTS.get(GUIDE, []), *read("GuideOpenBill")],
}
_WECOM_MENU = dict(category="WeCom", category_label=_l("WeCom"), category_icon="fa-weixin")


@hookimpl(specname="retail_register_views")
def wecom_register_views(appbuilder):
    from app.hookspecs import ViewSpec
    from plugins.wecom_guide.wecom import views
    from plugins.wecom_guide.wecom.callback import WeComCallbackView

    return [
        ViewSpec(WeComCallbackView),
        ViewSpec(views.WeComGuideView, name="WeComGuides", label=_l("WeCom guides"), icon="fa-qrcode",
                 **_WECOM_MENU),
        ViewSpec(views.WeComContactView, name="WeComContacts", label=_l("WeCom customer contacts"),
                 icon="fa-users", **_WECOM_MENU),
        ViewSpec(views.WeComEventView, name="WeComEvents", label=_l("WeCom callback events"), icon="fa-bolt",
                 **_WECOM_MENU),
        ViewSpec(views.WeComCallView, name="WeComCalls", label=_l("WeCom API calls"), icon="fa-list",
                 **_WECOM_MENU),
    ]


@hookimpl(specname="retail_register_apis")
def wecom_register_apis(appbuilder):
    from plugins.wecom_guide.wecom.api import GuideOpenBillApi

    return [GuideOpenBillApi]


@hookimpl
def retail_order_fields(order, viewer):
    from plugins.wecom_guide.wecom.order_qr import order_fields

    return order_fields(order)


@hookimpl
def retail_order_detail_sections(order, viewer):
    from plugins.wecom_guide.wecom.order_qr import order_section

    section = order_section(order)
    return [section] if section is not None else None


@hookimpl
def retail_check_sale(store_id, staff_id, member):
    from plugins.wecom_guide.wecom.open_bill import check_sale_member

    check_sale_member(staff_id, member.id if member is not None else None)
