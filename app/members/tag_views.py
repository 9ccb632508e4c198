"""Member tags (会员标签): HQ keeps the list; store staff pick tags on a member's page."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.admin import RetailModelView
from app.extensions import db
from app.members.models import MemberTag, member_tag_link

TAG_MAX = 32


class TagFormError(ValueError):
    """Shown by FAB as a flash message; nothing is written."""


class MemberTagView(RetailModelView):
    datamodel = SQLAInterface(MemberTag)
    class_permission_name = "MemberTags"
    list_title = _l("Member tags")
    show_title = _l("Member tag")
    add_title = _l("Add member tag")
    edit_title = _l("Edit member tag")
    list_columns = add_columns = edit_columns = show_columns = ["name"]
    search_columns = ["name"]
    base_order = ("name", "asc")
    label_columns = {"name": _l("Tag")}

    def pre_add(self, item):
        item.name = (item.name or "").strip()
        if not 1 <= len(item.name) <= TAG_MAX:
            raise TagFormError(str(_l("A tag has 1 to 32 characters.")))
        with db.session.no_autoflush:  # compare with the stored tags, not the edit being made
            clash = db.session.scalar(
                select(MemberTag.id).where(func.lower(MemberTag.name) == item.name.lower(),
                                           MemberTag.id != item.id)
            )
        if clash is not None:
            raise TagFormError(str(_l("This tag exists already.")))

    pre_update = pre_add

    def pre_delete(self, item):
        used = db.session.scalar(
            select(func.count()).select_from(member_tag_link).where(member_tag_link.c.tag_id == item.id)
        )
        if used:
            raise TagFormError(str(_l("%(n)s members carry this tag: remove it from them first.", n=used)))
