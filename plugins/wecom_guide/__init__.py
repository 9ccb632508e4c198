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
MODELS = "plugins.wecom_guide.models"
MIGRATIONS = "migrations/versions"
TRANSLATIONS = "translations"
SETTINGS = "plugins.wecom_guide.settings:SETTINGS"
DEMO = "plugins.wecom_guide.demo:seed_demo"

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
def retail_staff_left(staff):
    from plugins.wecom_guide.ownership import release_members_of

    release_members_of(staff.id)
