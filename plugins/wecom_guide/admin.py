"""Admin pages of the wecom_guide plugin (HQ and store managers): member ownership with
transfer and release, ownership history, tasks with per-guide progress, chat materials.
Plus the menu entry of the guide's mobile workbench and the public activation page."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.admin import AUDIT_LABELS, READ_WRITE_VIEW_METHODS, RetailModelView, StoreScopedModelView, check_csrf
from app.admin_actions import run_bulk
from app.admin_fields import Section
from app.errors import DomainError
from app.extensions import db
from app.formatting import code_label, html_table, timestamp
from app.hookspecs import ViewSpec
from app.members.services import member_label
from app.platform.staff import Staff
from app.security import FilterStoreScope, can_see_store, scoped_store_id
from plugins.wecom_guide import labels  # noqa: F401  (registers the label vocabularies)
from plugins.wecom_guide.models import (
    GuideMember,
    Material,
    MaterialGroup,
    OwnershipEvent,
    Task,
    TaskAssignment,
)
from plugins.wecom_guide.views import ActivationView, GuideWorkbenchView

CATEGORY = "Guides"


def _member(value) -> str:
    return member_label(value)


class GuideMemberView(StoreScopedModelView):
    """Members and their dedicated guides (store managers: their store's); transfer, release."""

    datamodel = SQLAInterface(GuideMember)
    class_permission_name = "GuideMembers"
    method_permission_name = {**READ_WRITE_VIEW_METHODS, "release": "write", "transfer": "write"}
    list_title = _l("Dedicated guides")
    show_title = _l("Dedicated guide")
    list_columns = ["member", "staff", "store", "source", "since"]
    show_columns = list_columns
    search_columns = ["staff", "source"]
    base_order = ("since", "desc")
    label_kinds = {"source": "wecom_guide_ownership_source"}
    formatters_columns = {"member": _member}
    label_columns = {
        "member": _l("Member"),
        "staff": _l("Guide"),
        "store": _l("Store"),
        "source": _l("Source"),
        "since": _l("Since"),
    }
    order_columns = ["since", "source"]  # the member is shown through retail_present_member: not sorted
    search_form_query_rel_fields = {"staff": [["store_id", FilterStoreScope, None]]}

    def detail_sections(self, item) -> list[Section]:
        events = (
            db.session.query(OwnershipEvent)
            .filter_by(member_id=item.member_id)
            .order_by(OwnershipEvent.id.desc())
            .limit(50)
        )
        body = html_table(
            (_l("Time"), _l("Action"), _l("Previous guide"), _l("New guide"), _l("Source")),
            [
                (
                    timestamp(e.created_on),
                    code_label(e.action, "wecom_guide_ownership_action"),
                    e.from_staff.name if e.from_staff else "",
                    e.to_staff.name if e.to_staff else "",
                    code_label(e.source, "wecom_guide_ownership_source"),
                )
                for e in events
            ],
        )
        transfer = Markup('<p><a class="btn btn-sm btn-primary" href="{}">{}</a></p>').format(
            url_for("GuideMemberView.transfer", pk=item.member_id), _l("Transfer to another guide")
        )
        return [
            Section("transfer", _l("Change guide"), transfer),
            Section("history", _l("Ownership history"), body),
        ]

    @action(
        "release",
        _l("Release to the pool"),
        _l("Return the selected members to the unclaimed pool?"),
        "fa-undo",
    )
    def release(self, items):
        from plugins.wecom_guide.ownership import release_member

        def release_one(row):
            self._check_row_store(row)
            release_member(row.member_id)

        return run_bulk(
            self,
            items,
            release_one,
            lambda row: member_label(row.member),
            lambda n: _l("Released %(n)s member(s) to the pool.", n=n),
        )

    @expose("/transfer/<int:pk>", methods=["GET", "POST"])
    @has_access
    def transfer(self, pk):
        """Choose the member's new guide among the active guides of the manager's store (HQ: any)."""
        from plugins.wecom_guide.ownership import transfer_member
        from plugins.wecom_guide.tasks import guides_in

        row = db.session.get(GuideMember, pk)
        if row is None or not can_see_store(row.store_id):
            abort(404)
        guides = guides_in(scoped_store_id())
        if request.method == "POST":
            check_csrf()
            chosen = request.form.get("guide", type=int)
            staff = db.session.get(Staff, chosen) if chosen in {g.id for g in guides} else None
            try:
                if staff is None:
                    raise DomainError("GUIDE_NOT_FOUND", _l("Choose an active guide."))
                transfer_member(row.member_id, staff)
            except DomainError as exc:
                flash(str(exc.message), "danger")
            else:
                flash(str(_l("The member now belongs to %(name)s.", name=staff.name)), "success")
                return redirect(url_for("GuideMemberView.show", pk=pk))
        return self.render_template(
            "wecom_guide/transfer.html",
            member=member_label(row.member),
            guides=guides,
            current=row.staff_id,
            title=_l("Transfer to another guide"),
        )


class OwnershipHistoryView(RetailModelView):
    """Every ownership change (claim, WeCom link, transfer, release), HQ only; never deleted."""

    datamodel = SQLAInterface(OwnershipEvent)
    class_permission_name = "GuideOwnershipHistory"
    base_permissions = ["can_read"]
    list_title = _l("Ownership history")
    list_columns = ["created_on", "member", "action", "from_staff", "to_staff", "source"]
    show_columns = list_columns
    base_order = ("id", "desc")
    label_kinds = {"action": "wecom_guide_ownership_action", "source": "wecom_guide_ownership_source"}
    formatters_columns = {"member": _member}
    order_columns = ["created_on", "action", "source"]
    label_columns = {
        "created_on": _l("Time"),
        "member": _l("Member"),
        "action": _l("Action"),
        "from_staff": _l("Previous guide"),
        "to_staff": _l("New guide"),
        "source": _l("Source"),
    }


class TaskAssignmentView(StoreScopedModelView):
    """One row per guide of a task: targeted, forwarded, done (shown on the task's page)."""

    datamodel = SQLAInterface(TaskAssignment)
    class_permission_name = "GuideTasks"
    base_permissions = ["can_read"]
    list_title = _l("Task progress per guide")
    list_columns = ["task", "staff", "store", "target_count", "forwarded_count", "status", "done_on"]
    show_columns = list_columns
    label_kinds = {"status": "wecom_guide_assignment_status"}
    label_columns = {
        "task": _l("Task"),
        "staff": _l("Guide"),
        "store": _l("Store"),
        "target_count": _l("Target members"),
        "forwarded_count": _l("Forwarded"),
        "status": _l("Status"),
        "done_on": _l("Done on"),
    }


class TaskView(StoreScopedModelView):
    """HQ tasks (every store, or one) and store managers' tasks (their store) for guides."""

    datamodel = SQLAInterface(Task)
    class_permission_name = "GuideTasks"
    method_permission_name = {**READ_WRITE_VIEW_METHODS, "close": "write"}
    list_title = _l("Guide tasks")
    show_title = _l("Guide task")
    add_title = _l("New guide task")
    list_columns = ["title", "store", "target_tag", "target_level", "deadline", "status", "created_on"]
    show_columns = [
        "title",
        "content",
        "material",
        "store",
        "target_tag",
        "target_level",
        "deadline",
        "status",
        "created_on",
    ]
    add_columns = ["title", "content", "material", "store", "target_tag", "target_level", "deadline"]
    edit_columns = ["title", "content", "material", "deadline"]
    base_order = ("id", "desc")
    label_kinds = {"status": "wecom_guide_task_status"}
    related_views = [TaskAssignmentView]
    label_columns = {
        "title": _l("Title"),
        "content": _l("Content"),
        "material": _l("Material"),
        "store": _l("Store"),
        "target_tag": _l("Target tag"),
        "target_level": _l("Target level"),
        "deadline": _l("Deadline"),
        "status": _l("Status"),
        **AUDIT_LABELS,
    }
    description_columns = {
        "store": _l("Empty: the guides of every store (HQ only)."),
        "target_tag": _l("Empty: every member of the guide."),
        "target_level": _l("Empty: every level."),
    }

    def pre_add(self, item):
        from plugins.wecom_guide.tasks import guides_in

        super().pre_add(item)
        if item.store is not None:
            item.store_id = item.store.id
        if not guides_in(item.store_id):
            raise DomainError(
                "TASK_NO_GUIDES", _l("No active guide works in the task's store."), field="store"
            )

    def post_add(self, item):
        from plugins.wecom_guide.tasks import assign_task

        assign_task(item.id)

    def detail_sections(self, item) -> list[Section]:
        from plugins.wecom_guide.tasks import progress

        counts = progress(item.id)
        body = html_table(
            (_l("Guides"), _l("Guides done"), _l("Completion rate"), _l("Target members"), _l("Forwarded")),
            [
                (
                    counts["guides"],
                    counts["done"],
                    f"{counts['completion_rate'] * 100:.1f}%",
                    counts["targeted"],
                    counts["forwarded"],
                )
            ],
        )
        return [Section("progress", _l("Progress"), body)]

    @action("close", _l("Close"), _l("Close the selected tasks? Guides stop seeing them."), "fa-check")
    def close(self, items):
        from plugins.wecom_guide.tasks import close_task

        def close_one(row):
            self._check_row_store(row)
            close_task(row.id)

        return run_bulk(
            self, items, close_one, lambda row: row.title, lambda n: _l("Closed %(n)s task(s).", n=n)
        )


class MaterialGroupView(RetailModelView):
    datamodel = SQLAInterface(MaterialGroup)
    class_permission_name = "GuideMaterials"
    list_title = _l("Material groups")
    list_columns = ["name", "sort"]
    add_columns = edit_columns = show_columns = ["name", "sort"]
    base_order = ("sort", "asc")
    label_columns = {"name": _l("Name"), "sort": _l("Sort order")}


class MaterialView(RetailModelView):
    datamodel = SQLAInterface(Material)
    class_permission_name = "GuideMaterials"
    list_title = _l("Chat materials")
    list_columns = ["group", "kind", "title", "active", "forward_count"]
    show_columns = ["group", "kind", "title", "body", "url", "active", "forward_count"]
    add_columns = edit_columns = ["group", "kind", "title", "body", "url", "active"]
    base_order = ("id", "desc")
    label_kinds = {"kind": "wecom_guide_material_kind"}
    label_columns = {
        "group": _l("Group"),
        "kind": _l("Type"),
        "title": _l("Title"),
        "body": _l("Text"),
        "url": _l("Image or link URL"),
        "active": _l("In use"),
        "forward_count": _l("Forwards"),
    }


def view_specs() -> list[ViewSpec]:
    menu = dict(category=CATEGORY, category_label=_l("Guides"), category_icon="fa-id-badge")
    return [
        ViewSpec(
            GuideWorkbenchView, "GuideWorkbenchPage", label=_l("Guide workbench"), icon="fa-mobile", **menu
        ),
        ViewSpec(GuideMemberView, "GuideMemberList", label=_l("Dedicated guides"), icon="fa-users", **menu),
        ViewSpec(
            OwnershipHistoryView,
            "GuideOwnershipHistoryList",
            label=_l("Ownership history"),
            icon="fa-history",
            **menu,
        ),
        ViewSpec(TaskView, "GuideTaskList", label=_l("Guide tasks"), icon="fa-tasks", **menu),
        ViewSpec(TaskAssignmentView),
        ViewSpec(
            MaterialGroupView, "GuideMaterialGroupList", label=_l("Material groups"), icon="fa-folder", **menu
        ),
        ViewSpec(MaterialView, "GuideMaterialList", label=_l("Chat materials"), icon="fa-comments", **menu),
        ViewSpec(ActivationView),
    ]
