"""Admin of member share groups (HQ only: the grant goes to Merchant)."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.admin import AUDIT_LABELS, RetailModelView
from plugins.member_privacy.models import ShareGroup
from plugins.member_privacy.services import check_group_stores, groups_changed


class ShareGroupView(RetailModelView):
    datamodel = SQLAInterface(ShareGroup)
    class_permission_name = "MemberShareGroups"
    list_title = _l("Member share groups")
    show_title = _l("Member share group")
    add_title = _l("Add member share group")
    edit_title = _l("Edit member share group")
    list_columns = ["name", "stores", "note"]
    add_columns = edit_columns = ["name", "stores", "note"]
    show_columns = ["name", "stores", "note", "created_on", "changed_on"]
    search_columns = ["name"]
    order_columns = ["name"]
    base_order = ("name", "asc")
    label_columns = {
        "name": _l("Name"),
        "stores": _l("Stores"),
        "note": _l("Note"),
        **AUDIT_LABELS,
    }
    description_columns = {
        "stores": _l("A store can be in one share group only."),
    }

    def pre_add(self, item):
        item.name = (item.name or "").strip()
        item.note = (item.note or "").strip()
        check_group_stores(item)

    pre_update = pre_add

    def post_add(self, item):
        groups_changed()  # every worker reloads the groups at its next request

    post_update = post_delete = post_add
