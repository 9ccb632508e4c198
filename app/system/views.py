"""The System pages: home, plugins, settings, jobs, audit log (over the kernel, ``app.platform``)."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, IndexView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app.admin import READ_WRITE_VIEW_METHODS, RetailModelView, check_csrf
from app.formatting import audit_detail, register_labels
from app.platform.models import AuditLog, Job
from app.platform.settings import SettingError, all_settings, get_setting, mask_secret, set_setting
from app.plugins import PluginToggleRefused, plugin_host
from app.roles import POS
from app.security import current_staff, user_role_names


class HomeView(IndexView):
    index_template = "retail/index.html"

    @expose("/")
    def index(self):
        staff = current_staff() if current_user.is_authenticated else None
        if user_role_names() == {POS}:  # a till's account: no admin pages, say what it is for
            return self.render_template("retail/pos_home.html", store=getattr(staff, "store", None))
        return self.render_template(
            self.index_template,
            staff=staff,
            roles=sorted(user_role_names()),
            appbuilder=self.appbuilder,
        )


class PluginsView(BaseView):
    """List of discovered plugins with enable/disable (HQ only)."""

    route_base = "/plugins"
    class_permission_name = "Plugins"
    method_permission_name = {"list": "read", "toggle": "write"}
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        host = plugin_host()
        enabled = host.enabled_names()
        rows = [
            {
                "info": info,
                "enabled": name in enabled,
                "missing": host.missing_dependencies(name),
                "hooks": host.hook_names(name),
            }
            for name, info in sorted(host.plugins.items())
        ]
        return self.render_template("retail/plugins.html", rows=rows, title=_l("Plugins"))

    @expose("/<name>/toggle", methods=["POST"])
    @has_access
    def toggle(self, name):
        check_csrf()
        host = plugin_host()
        if name not in host.plugins:
            abort(404)
        want = request.form.get("enabled") == "1"
        try:
            host.set_enabled(name, want, user=current_user)
        except PluginToggleRefused as refused:
            flash(str(refused.message), "danger")
        else:
            title = host.plugins[name].title
            if want:
                flash(str(_l("Plugin %(name)s enabled.", name=title)), "success")
            else:
                flash(str(_l("Plugin %(name)s disabled.", name=title)), "success")
        return redirect(url_for("PluginsView.list"))


class SettingsView(BaseView):
    """Typed settings of the core and every enabled plugin (HQ only)."""

    route_base = "/settings"
    class_permission_name = "Settings"
    method_permission_name = {"edit": "read", "save": "write"}
    default_view = "edit"

    def _visible(self):
        host = plugin_host()
        enabled = host.enabled_names()
        return {
            key: (owner, definition)
            for key, (owner, definition) in all_settings().items()
            if owner == "core" or owner in enabled
        }

    @expose("/")
    @has_access
    def edit(self):
        host = plugin_host()
        groups: dict[str, list] = {}
        for key, (owner, definition) in sorted(self._visible().items()):
            title = owner if owner == "core" else host.plugins[owner].title
            value = get_setting(key)
            shown = mask_secret(value) if definition.secret else value
            groups.setdefault(title, []).append((definition, shown))
        return self.render_template("retail/settings.html", groups=groups, title=_l("Settings"))

    @expose("/", methods=["POST"])
    @has_access
    def save(self):
        check_csrf()
        errors = 0
        for key, (_owner, definition) in self._visible().items():
            raw = request.form.get(key, False if definition.type == "bool" else None)
            if raw is None or (definition.secret and raw == ""):
                continue  # a secret left blank keeps its stored value
            try:
                set_setting(key, raw, user=current_user)
            except SettingError as err:
                errors += 1
                flash(str(err.message), "danger")
        if not errors:
            flash(str(_l("Settings saved.")), "success")
        return redirect(url_for("SettingsView.edit"))


def _progress_bar(percent: int) -> Markup:
    return Markup(
        '<div class="progress" style="min-width:120px;margin:0">'
        '<div class="progress-bar" role="progressbar" style="width:{p}%">{p}%</div></div>'
    ).format(p=int(percent))


UNFINISHED_JOB_STATES = ("queued", "running")
register_labels("job_status", {
    "queued": _l("Queued"), "running": _l("Running"), "done": _l("Done"), "failed": _l("Failed"),
})
register_labels("audit_action", {
    "plugin.enable": _l("Plugin enabled"),
    "plugin.disable": _l("Plugin disabled"),
    "setting.change": _l("Setting changed"),
    "member.create": _l("Member created"),
    "member.created": _l("Member created"),
    "staff.left": _l("Staff left"),
})
register_labels("audit_object", {
    "plugin": _l("Plugin"), "setting": _l("Setting"), "member": _l("Member"), "staff": _l("Staff"),
    "stock_doc": _l("Stock document"),
})


class JobView(RetailModelView):
    """Jobs and their progress; the list and detail pages poll ``progress`` while a job runs."""

    datamodel = SQLAInterface(Job)
    class_permission_name = "Jobs"
    method_permission_name = {**READ_WRITE_VIEW_METHODS, "progress": "read"}
    base_permissions = ["can_read"]
    list_template = "retail/job_list.html"
    show_template = "retail/job_show.html"
    list_title = _l("Background jobs")
    show_title = _l("Background job")
    list_columns = ["id", "name", "status", "progress", "created_on", "finished_on"]
    show_columns = ["id", "name", "status", "progress", "done", "total", "message", "created_on",
                    "finished_on"]
    order_columns = ["id", "created_on"]
    base_order = ("id", "desc")
    formatters_columns = {"progress": _progress_bar}
    label_kinds = {"name": "job_name", "status": "job_status"}
    label_columns = {
        "id": _l("Job no."),
        "name": _l("Job"),
        "params": _l("Parameters"),
        "status": _l("Status"),
        "progress": _l("Progress"),
        "done": _l("Done"),
        "total": _l("Total"),
        "message": _l("Message"),
        "created_on": _l("Created on"),
        "finished_on": _l("Finished on"),
    }

    @expose("/progress")
    @has_access
    def progress(self):
        """``?ids=1,2`` → ``{"jobs": {"1": {"status", "progress", "finished"}}}`` for the poller."""
        ids = [int(part) for part in request.args.get("ids", "").split(",")[:100] if part.isdigit()]
        jobs = {}
        for job_id in ids:
            job = self.datamodel.get(job_id, self._base_filters)
            if job is not None:
                jobs[str(job.id)] = {"status": job.status, "progress": job.progress,
                                     "finished": job.status not in UNFINISHED_JOB_STATES}
        return jsonify({"jobs": jobs})


class AuditLogView(RetailModelView):
    datamodel = SQLAInterface(AuditLog)
    class_permission_name = "AuditLog"
    base_permissions = ["can_read"]
    list_title = _l("Audit log")
    list_columns = ["created_on", "username", "action", "object_type", "object_id", "detail"]
    search_columns = ["username", "action", "object_type", "object_id"]
    base_order = ("id", "desc")
    label_kinds = {"action": "audit_action", "object_type": "audit_object"}
    formatters_columns = {"detail": audit_detail}
    label_columns = {
        "created_on": _l("Time"),
        "username": _l("User"),
        "action": _l("Action"),
        "object_type": _l("Object type"),
        "object_id": _l("Object"),
        "detail": _l("Detail"),
    }

