from flask_babel import lazy_gettext as _l

from app.security import (
    CASHIER,
    GUIDE,
    MERCHANT,
    POS,
    STORE_MANAGER,
    menu,
    read,
    write,
)

ORDER = 20

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


def register(appbuilder) -> None:
    from app.members.api import PosMembersApi
    from app.members.export import MemberExportView
    from app.members.tag_views import MemberTagView
    from app.members.views import MemberLevelView, MemberView

    category = dict(category="Members", category_label=_l("Members"), category_icon="fa-id-card")
    appbuilder.add_view(MemberView, "MemberList", label=_l("Members"), icon="fa-user", **category)
    appbuilder.add_view(
        MemberLevelView, "MemberLevelList", label=_l("Member levels"), icon="fa-signal", **category
    )
    appbuilder.add_view(MemberTagView, "MemberTagList", label=_l("Member tags"), icon="fa-tags", **category)
    appbuilder.add_link(
        "MemberExport", label=_l("Export members (CSV)"), href="/member-export/members.csv",
        icon="fa-download", category="Members",
    )
    appbuilder.add_view_no_menu(MemberExportView)
    appbuilder.add_api(PosMembersApi)
