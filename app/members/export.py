"""Member export (CSV for Excel): exactly the members the viewer may see, shown as the
viewer may see them — both decided by ``member_query(viewer, "export")`` and
``present_member`` (so privacy plugins apply), never by this view."""

from __future__ import annotations

from flask import Response, stream_with_context
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext

from app.actor import acting_user
from app.csv_export import BOM, csv_line
from app.extensions import db
from app.formatting import code_label
from app.members.models import Member
from app.members.services import member_query, present_member

BATCH = 1000


def _columns():
    return [
        ("member_no", gettext("Member no.")), ("phone", gettext("Phone")), ("name", gettext("Name")),
        ("level", gettext("Level")), ("home_store", gettext("Home store")), ("status", gettext("Status")),
    ]


def _cell(key: str, value):
    """Readable like the admin lists: the status as its label."""
    return code_label(value, "member_status") if key == "status" and value else value


class MemberExportView(BaseView):
    route_base = "/member-export"
    class_permission_name = "MemberExport"
    method_permission_name = {"members_csv": "read"}
    default_view = "members_csv"

    @expose("/members.csv")
    @has_access
    def members_csv(self):
        viewer = acting_user()
        columns = _columns()
        query = (
            member_query(viewer, "export")
            .order_by(Member.id)
            .execution_options(yield_per=BATCH)
        )

        def rows():
            yield BOM + csv_line([label for _, label in columns])
            for member in db.session.scalars(query):
                data = present_member(member, viewer, "export")
                yield csv_line([_cell(key, data.get(key)) for key, _ in columns])  # formulas neutralised

        return Response(
            stream_with_context(rows()),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=members.csv"},
        )
