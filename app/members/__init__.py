"""Core domain `members`: members, member levels and tags, the POS member API, the member export.

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import ViewSpec, hookimpl
from app.roles import CASHIER, GUIDE, MERCHANT, POS, STORE_MANAGER, menu, read, write

NAME = "members"
TITLE = _l("Members")
VERSION = CORE_VERSION
DESCRIPTION = _l("Members, member levels and tags, and the POS member look-up.")
DEPENDS = ()
CORE = True
ORDER = 20
SIDEBAR = {"Members": 20}  # sidebar position of its menu group (app/menu.py)
MODELS = "app.members.models"
REFERENCE_DATA = ("MemberLevel",)  # rows kept per worker (present_member)
DEMO = "app.members.demo:seed_demo"

MEMBER_MENU = menu("Members", "MemberList")

GRANTS = {
    MERCHANT: write("Members") + write("MemberLevels") + write("MemberTags") + write("PosMembers")
    + read("MemberExport")
    + menu("Members", "MemberList", "MemberLevelList", "MemberTagList", "MemberExport"),
    STORE_MANAGER: write("Members") + write("PosMembers") + read("MemberExport") + MEMBER_MENU
    + menu("MemberExport"),
    CASHIER: write("Members") + write("PosMembers") + MEMBER_MENU,
    GUIDE: read("Members") + MEMBER_MENU,
    POS: write("PosMembers"),
}
CATEGORY = dict(category="Members", category_label=_l("Members"), category_icon="fa-id-card")


@hookimpl
def retail_register_views(appbuilder):
    from app.members.export import MemberExportView
    from app.members.tag_views import MemberTagView
    from app.members.views import MemberLevelView, MemberView

    return [
        ViewSpec(MemberView, "MemberList", label=_l("Members"), icon="fa-user", **CATEGORY),
        ViewSpec(MemberLevelView, "MemberLevelList", label=_l("Member levels"), icon="fa-signal", **CATEGORY),
        ViewSpec(MemberTagView, "MemberTagList", label=_l("Member tags"), icon="fa-tags", **CATEGORY),
        ViewSpec(None, "MemberExport", label=_l("Export members (CSV)"), href="/member-export/members.csv",
                 icon="fa-download", category="Members"),
        ViewSpec(MemberExportView),
    ]


@hookimpl
def retail_register_apis(appbuilder):
    from app.members.api import PosMembersApi

    return [PosMembersApi]


@hookimpl
def retail_member_detail_sections(member):
    from app.members.detail import level_history_section

    return [level_history_section(member)]
