"""Admin views of members and member levels."""

from __future__ import annotations

from flask import abort, request
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import false
from wtforms import SelectField

from app.actor import acting_user
from app.admin import AUDIT_LABELS, RetailModelView, StoreScopedModelView
from app.formatting import choices_of, register_labels
from app.members.models import GENDERS, MEMBER_STATUSES, Member, MemberLevel
from app.members.services import (
    PRIVATE,
    member_criteria,
    member_visible,
    present_member,
    register_member,
    validate_choice,
    validate_name,
)
from app.security import current_staff, scoped_store_id


class FilterVisibleMembers(BaseFilter):
    """Base filter: the core store rule and every plugin's ``retail_member_filters`` (purpose "list")."""

    name = "Visible members"
    arg_name = None

    def apply(self, query, value):
        return query.filter(*member_criteria(acting_user(), "list"))


def _presented(member: Member, purpose: str) -> dict:
    """Name and phone of ``member`` as the viewer may see them."""
    data = present_member(member, acting_user(), purpose)
    return {key: data.get(key) for key in PRIVATE}


def _masked_for_viewer() -> set[str]:
    """Which of name and phone the viewer sees masked on a member of their own store developed
    by them (the privacy plugins' masking policy, asked through ``retail_present_member``)."""
    staff = current_staff()
    probe = Member(id=0, member_no="", phone="13800000000", name="测试", status="active",
                   home_store_id=scoped_store_id() or None, developer_staff_id=staff.id if staff else None)
    shown = _presented(probe, "list")
    return {key for key in PRIVATE if shown[key] != getattr(probe, key)}


class FilterNoMatch(BaseFilter):
    name = "No match"
    arg_name = None

    def apply(self, query, value):
        return query.filter(false())


def private_search_closed(filters, datamodel, masked: set[str]):
    """The list filters for a viewer who sees ``masked`` fields masked: filtering on a
    fragment of one would reveal the masked characters, so it matches nothing; an exact
    phone (the POS look-up) still finds its member."""
    allowed = [(f, v) for f, v in zip(filters.filters, filters.values, strict=True)
               if f.column_name not in masked or (f.column_name == "phone" and isinstance(f, FilterEqual))]
    if len(allowed) == len(filters.filters):
        return filters
    closed = filters.copy()
    closed.filters = [f for f, _ in allowed] + [FilterNoMatch("id", datamodel)]
    closed.values = [v for _, v in allowed] + [None]
    return closed


class PresentedMembers(SQLAInterface):
    """Member rows for the list and detail pages with name and phone as the viewer may see
    them (privacy plugins mask them for store staff), never the stored value behind a mask."""

    def get_values(self, lst, list_columns):
        for item, row in zip(lst, super().get_values(lst, list_columns), strict=True):
            yield {**row, **{k: v for k, v in _presented(item, "list").items() if k in row}}

    def get_values_item(self, item, show_columns):
        values = super().get_values_item(item, show_columns)
        shown = _presented(item, "show")
        pairs = zip(show_columns, values, strict=True)
        return [shown[col] if col in shown else value for col, value in pairs]


# service errors shown beside the field they are about (app.admin_fields.ReadableFormsMixin)
MEMBER_ERROR_FIELDS = {
    "INVALID_PHONE": "phone",
    "MEMBER_PHONE_EXISTS": "phone",
    "INVALID_NAME": "name",
    "STORE_NOT_FOUND": "home_store",
}
register_labels("gender", {"unknown": _l("Unknown"), "male": _l("Male"), "female": _l("Female")})
register_labels("member_status", {
    "inactive": _l("Inactive"), "active": _l("Active"), "frozen": _l("Frozen"),
})
register_labels("member_channel", {
    "pos": _l("POS"), "mall": _l("Online mall"), "wecom": _l("WeCom"), "import": _l("Import"),
    "admin": _l("Admin"),
})
GENDER_CHOICES = choices_of("gender")
STATUS_CHOICES = choices_of("member_status")


class MemberView(StoreScopedModelView):
    datamodel = PresentedMembers(Member)
    class_permission_name = "Members"
    store_column = "home_store_id"
    store_relation = "home_store"
    list_title = _l("Members")
    show_title = _l("Member")
    add_title = _l("Add member")
    edit_title = _l("Edit member")
    list_columns = ["member_no", "name", "phone", "level", "home_store", "status", "created_on"]
    search_columns = ["phone", "member_no", "name", "level", "status", "home_store"]
    add_columns = ["phone", "name", "gender", "birthday", "home_store"]
    edit_columns = ["name", "gender", "birthday", "status", "tags"]
    show_columns = [
        "member_no", "name", "phone", "gender", "birthday", "level", "home_store", "developer_staff",
        "status", "channel", "paid_total_fen", "activated_on", "tags", "created_on", "changed_on",
    ]
    order_columns = ["member_no", "name", "created_on"]
    base_order = ("id", "desc")
    label_columns = {
        "member_no": _l("Member no."),
        "name": _l("Name"),
        "phone": _l("Phone"),
        "gender": _l("Gender"),
        "birthday": _l("Birthday"),
        "level": _l("Level"),
        "home_store": _l("Home store"),
        "developer_staff": _l("Developed by"),
        "status": _l("Status"),
        "channel": _l("Channel"),
        "paid_total_fen": _l("Paid total (yuan)"),
        "activated_on": _l("Activated on"),
        "tags": _l("Tags"),
        **AUDIT_LABELS,
    }
    add_form_extra_fields = {
        "gender": SelectField(_l("Gender"), choices=GENDER_CHOICES, widget=Select2Widget()),
    }
    edit_form_extra_fields = {
        "gender": SelectField(_l("Gender"), choices=GENDER_CHOICES, widget=Select2Widget()),
        "status": SelectField(_l("Status"), choices=STATUS_CHOICES, widget=Select2Widget()),
    }
    description_columns = {"phone": _l("Mainland mobile number, 11 digits.")}
    label_kinds = {"status": "member_status", "gender": "gender", "channel": "member_channel"}
    error_fields = MEMBER_ERROR_FIELDS

    def __init__(self, **kwargs):
        self.base_filters = [["id", FilterVisibleMembers, None]]
        # the ledgers below a member come from the loyalty domain (ViewSpec.related_to)
        super().__init__(**kwargs)

    def pre_add(self, item):
        super().pre_add(item)  # store staff: home store = their store
        staff = current_staff()
        item.developer_staff_id = staff.id if staff else None
        item.channel = "admin"
        register_member(item, user=acting_user())

    def _get_list_widget(self, filters, order_column="", **kwargs):
        masked = _masked_for_viewer()
        if masked:
            filters = private_search_closed(filters, self.datamodel, masked)
            order_column = "" if order_column in masked else order_column  # the order would tell
        return super()._get_list_widget(filters=filters, order_column=order_column, **kwargs)

    def prefill_form(self, form, pk):
        """A masked viewer sees the masked name, read-only (saving keeps the stored one)."""
        item = self.datamodel.get(pk)
        shown = _presented(item, "edit")
        for key in PRIVATE:
            field = getattr(form, key, None)
            if field is not None and shown[key] != getattr(item, key):
                field.data = shown[key]
                field.render_kw = {**(field.render_kw or {}), "readonly": True}

    def process_form(self, form, is_created):
        """Before the form is written to the member: a field the viewer sees masked keeps its
        stored value, whatever was submitted (the mask, or a guess)."""
        if is_created:
            return
        item = self.datamodel.get(request.view_args.get("pk"))
        if item is None:
            return
        shown = _presented(item, "edit")
        for key in PRIVATE:
            field = getattr(form, key, None)
            if field is not None and shown[key] != getattr(item, key):
                field.data = getattr(item, key)

    def pre_update(self, item):
        self._check_row_store(item)
        item.name = validate_name(item.name)
        validate_choice(item.gender, GENDERS)
        validate_choice(item.status, MEMBER_STATUSES)

    def detail_sections(self, item):
        from app.members.detail import member_sections

        return member_sections(item)

    def _check_row_store(self, item) -> None:
        super()._check_row_store(item)
        if item is not None and scoped_store_id() is not None:
            if not member_visible(acting_user(), "list", item.id):
                abort(404)


class MemberLevelView(RetailModelView):
    datamodel = SQLAInterface(MemberLevel)
    class_permission_name = "MemberLevels"
    list_title = _l("Member levels")
    show_title = _l("Member level")
    add_title = _l("Add member level")
    edit_title = _l("Edit member level")
    list_columns = ["code", "name", "threshold_fen"]
    add_columns = edit_columns = ["code", "name", "threshold_fen"]
    show_columns = ["code", "name", "threshold_fen", "created_on", "changed_on"]
    search_columns = ["code", "name"]
    base_order = ("threshold_fen", "asc")
    label_columns = {
        "code": _l("Code"),
        "name": _l("Name"),
        "threshold_fen": _l("Threshold (yuan)"),
        **AUDIT_LABELS,
    }
    description_columns = {
        "threshold_fen": _l("Members reach this level when their paid total reaches this amount.")
    }

