"""Admin pages of the points reset (积分清零), HQ only: the form, the list of resets with their
progress and member counts, and a reset's detail page (its remark, batches, ledger rows)."""

from __future__ import annotations

from pathlib import Path

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from app.actor import acting_user
from app.admin import READ_WRITE_VIEW_METHODS, RetailModelView, check_csrf
from app.admin_actions import run_bulk
from app.admin_fields import Section
from app.docnumbers.services import SEQUENCE_DIGITS
from app.errors import DomainError
from app.extensions import db
from app.formatting import code_label, html_table, link, register_labels, timestamp
from app.hookspecs import ViewSpec
from app.loyalty.models import PointsTxn
from app.members.models import Member, MemberLevel
from app.members.services import member_label
from app.org.models import Store
from plugins.points_mall.models import PointsReset, PointsResetBatch
from plugins.points_mall.reset import services

STATUS_LABELS = {
    "queued": _l("Queued"), "processing": _l("Processing"), "completed": _l("Completed"),
    "failed": _l("Failed"),
}
SCOPE_LABELS = {"all": _l("All members"), "level": _l("A member level"), "segment": _l("A member group"),
                "stores": _l("Members of stores")}
register_labels("points_reset_status", STATUS_LABELS)
register_labels("points_reset_scope", SCOPE_LABELS)
register_labels("job_name", {services.JOB_NAME: _l("Points reset")})
register_labels("points_kind", {"reset": _l("Reset")})
register_labels("audit_action", {"points_reset.request": _l("Points reset requested"),
                                 "points_reset.resume": _l("Points reset resumed")})
register_labels("audit_object", {"points_reset": _l("Points reset")})

FORM_FIELDS = ("reason", "remark", "scope", "level_id", "segment_key", "earned_before")
LEDGER_ROWS_SHOWN = 50


def _progress_bar(percent: int) -> Markup:
    return Markup(
        '<div class="progress" style="min-width:120px;margin:0">'
        '<div class="progress-bar" role="progressbar" style="width:{p}%">{p}%</div></div>'
    ).format(p=int(percent))


def _scope_text(reset: PointsReset) -> str:
    text = code_label(reset.scope, "points_reset_scope")
    if reset.scope == "level" and reset.level is not None:
        text = f"{text}: {reset.level.name}"
    if reset.scope == "segment":
        text = f"{text}: {reset.segment_label}"
    if reset.scope == "stores":
        codes = db.session.scalars(select(Store.code).where(Store.id.in_(reset.store_ids or []))
                                   .order_by(Store.code)).all()
        text = f"{text}: {', '.join(codes)}"
    if reset.earned_before is not None:
        text = f"{text} · " + str(_l("points earned before %(day)s", day=reset.earned_before.isoformat()))
    return text


PointsReset.scope_text = property(_scope_text)


class PointsResetView(RetailModelView):
    """积分清零: HQ starts a reset (the add page is its form) and follows its job."""

    datamodel = SQLAInterface(PointsReset)
    template_folder = str(Path(__file__).resolve().parent / "templates")  # this package's own templates
    class_permission_name = "PointsResets"
    method_permission_name = {**READ_WRITE_VIEW_METHODS, "progress": "read", "resume": "write"}
    list_title = _l("Points resets")
    show_title = _l("Points reset")
    add_title = _l("Reset points")
    list_template = "points_mall_reset/list.html"
    show_template = "points_mall_reset/show.html"
    list_columns = ["reset_no", "reason", "scope_text", "status", "progress", "member_count",
                    "points_total", "created_on", "finished_on"]
    show_columns = ["reset_no", "reason", "remark", "scope_text", "status", "progress", "member_count",
                    "points_total", "checkpoint_member_id", "upper_member_id", "job_link", "message",
                    "created_on", "started_on", "heartbeat_on", "finished_on"]
    search_columns = ["reset_no", "reason", "status", "created_on"]
    order_columns = ["reset_no", "created_on", "member_count"]
    base_order = ("id", "desc")
    label_kinds = {"status": "points_reset_status", "scope": "points_reset_scope"}
    formatters_columns = {"progress": _progress_bar}
    action_order = ["resume"]
    label_columns = {
        "reset_no": _l("Reset no."),
        "reason": _l("Reason (members see it)"),
        "remark": _l("Remark (back office only)"),
        "scope": _l("Scope"),
        "scope_text": _l("Scope"),
        "status": _l("Status"),
        "progress": _l("Progress"),
        "member_count": _l("Members reset"),
        "points_total": _l("Points reset total"),
        "checkpoint_member_id": _l("Done up to member id"),
        "upper_member_id": _l("Last member id"),
        "job_link": _l("Background job"),
        "message": _l("Message"),
        "created_on": _l("Created on"),
        "started_on": _l("Started on"),
        "heartbeat_on": _l("Last batch on"),
        "finished_on": _l("Finished on"),
    }

    # ------------------------------------------------------------ the form (the add page)

    def _render_form(self, values=None, errors=None, summary=None):
        levels = db.session.scalars(select(MemberLevel).order_by(MemberLevel.threshold_fen)).all()
        stores = db.session.scalars(select(Store).order_by(Store.code)).all()
        return self.render_template(
            "points_mall_reset/form.html", values=values or {"scope": "all"}, errors=errors or {},
            levels=levels, stores=stores, segments=list(services.member_segments().values()),
            summary=summary, title=self.add_title,
        )

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        if request.method == "GET":
            return self._render_form()
        check_csrf()
        values = {name: request.form.get(name, "") for name in FORM_FIELDS}
        values["store_ids"] = request.form.getlist("store_ids")
        try:
            params = services.parse_reset_form(values)
            if request.form.get("confirm") != "1":  # first the count, then the confirmed start
                return self._render_form(values, summary=services.preview(params))
            reset = services.request_reset(params, user=acting_user())
        except DomainError as err:
            field = err.details.get("field")
            if field:
                return self._render_form(values, {field: str(err.message)})
            flash(str(err.message), "danger")
            return self._render_form(values)
        flash(str(_l("Points reset %(no)s started: its progress shows below.", no=reset.reset_no)), "success")
        return redirect(url_for("PointsResetView.show", pk=reset.id))

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        abort(404)  # a reset is never edited

    @expose("/delete/<pk>", methods=["GET", "POST"])
    @has_access
    def delete(self, pk):
        abort(404)  # nor deleted: it is the record of what happened to the points

    # ------------------------------------------------------------ progress and resume

    @expose("/progress")
    @has_access
    def progress(self):
        """``?ids=1,2`` → ``{"jobs": {"1": {"status", "progress", "finished"}}}`` (admin.js polls it)."""
        ids = [int(part) for part in request.args.get("ids", "").split(",")[:100]
               if part.isdigit() and len(part) < 10]
        answer = {}
        for reset in db.session.scalars(select(PointsReset).where(PointsReset.id.in_(ids))).all():
            answer[str(reset.id)] = {"status": reset.status, "progress": reset.progress,
                                     "finished": reset.status not in services.UNFINISHED}
        return jsonify({"jobs": answer})

    def allowed_actions(self, item):
        return {"resume"} if services.resumable(item) else set()

    @action("resume", _l("Resume"),
            _l("Resume the selected resets after their last finished batch?"), "fa-play", multiple=False)
    def resume(self, items):
        return run_bulk(self, items, lambda reset: services.resume_reset(reset.id, user=acting_user()),
                        lambda reset: reset.reset_no, _l("Resumed: a new job continues the reset."))

    # ------------------------------------------------------------ detail

    def detail_sections(self, item):
        batches = db.session.scalars(select(PointsResetBatch).where(PointsResetBatch.reset_id == item.id)
                                     .order_by(PointsResetBatch.lo)).all()
        numbers = []  # the first rows' document numbers, from the batches' blocks
        for batch in batches:
            room = LEDGER_ROWS_SHOWN - len(numbers)
            numbers += [_doc_no(batch, i) for i in range(min(batch.members, room))]
            if len(numbers) >= LEDGER_ROWS_SHOWN:
                break
        rows = db.session.execute(
            select(PointsTxn, Member).join(Member, Member.id == PointsTxn.member_id)
            .where(PointsTxn.doc_no.in_(numbers), PointsTxn.kind == "reset").order_by(PointsTxn.id)
        ).all() if numbers else []
        viewer = acting_user()
        table = html_table(
            [_l("Document no."), _l("Member"), _l("Points"), _l("Balance after"), _l("Time")],
            [(txn.doc_no, member_label(member, viewer), txn.points, txn.balance_after,
              timestamp(txn.created_on)) for txn, member in rows],
        )
        if item.member_count > len(rows):
            table += Markup('<p class="text-muted">{}</p>').format(
                _l("The first %(n)s of %(total)s ledger rows.", n=len(rows), total=item.member_count))
        done = [batch for batch in batches if batch.members]
        blocks = html_table(
            [_l("Member ids"), _l("Members reset"), _l("Points reset total"), _l("Document numbers"),
             _l("Time")],
            [(f"{b.lo + 1} – {b.hi}", b.members, b.points, f"{_doc_no(b, 0)} – {_doc_no(b, b.members - 1)}",
              timestamp(b.created_on)) for b in done[:LEDGER_ROWS_SHOWN]],
        )
        return [Section("ledger", _l("Points ledger rows of this reset"), table),
                Section("batches", _l("Batches (%(n)s, %(empty)s without points to reset)",
                                      n=len(batches), empty=len(batches) - len(done)), blocks)]


def _doc_no(batch: PointsResetBatch, index: int) -> str:
    """Document number ``index`` (0-based) of a batch's block (``app.docnumbers`` format)."""
    return f"{batch.doc_prefix}{batch.first_seq + index:0{SEQUENCE_DIGITS}d}"


def _job_link(reset: PointsReset):
    if reset.job_id is None:
        return ""
    return link(url_for("JobView.show", pk=reset.job_id), f"#{reset.job_id}")


PointsReset.job_link = property(_job_link)


def reset_view_specs() -> list[ViewSpec]:
    return [
        ViewSpec(PointsResetView, name="PointsResets", label=_l("Points reset"), icon="fa-eraser",
                 category="PointsMall", category_label=_l("Points mall"), category_icon="fa-gift"),
    ]


def reset_document_url(doc_no: str) -> str | None:
    """The reset's page for its number (``PR…``) or for a member's ledger row of it (``PRM…``)."""
    doc_no = doc_no or ""
    if doc_no.startswith(services.ROW_DOC) and doc_no[len(services.ROW_DOC):][:1].isdigit():
        prefix, sequence = doc_no[:len(services.ROW_DOC) + 10], doc_no[len(services.ROW_DOC) + 10:]
        if not sequence.isdigit():
            return None
        reset_id = db.session.scalar(
            select(PointsResetBatch.reset_id).where(
                PointsResetBatch.doc_prefix == prefix, PointsResetBatch.first_seq <= int(sequence),
                PointsResetBatch.first_seq + PointsResetBatch.members > int(sequence)).limit(1))
    elif doc_no.startswith(services.RESET_DOC) and doc_no[len(services.RESET_DOC):][:1].isdigit():
        reset_id = db.session.scalar(select(PointsReset.id).where(PointsReset.reset_no == doc_no))
    else:
        return None
    return url_for("PointsResetView.show", pk=reset_id) if reset_id is not None else None
