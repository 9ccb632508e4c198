"""Core domain `system`: the System pages -- plugins, settings, background jobs, audit log.

The pages sit above the security layer; the tables and services they show are the
kernel's (``app.platform``), which sits below it.  The domain's manifest: a default
plugin registered on the app's plugin manager like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import ViewSpec, hookimpl
from app.roles import MERCHANT, STORE_MANAGER, menu, read, write

NAME = "system"
TITLE = _l("System")
VERSION = CORE_VERSION
DESCRIPTION = _l("Plugins, settings, background jobs and the audit log.")
DEPENDS = ()
CORE = True
ORDER = 900  # the System menu comes last
SIDEBAR = {"System": 900}  # sidebar position of its menu group (app/menu.py)

GRANTS = {
    MERCHANT: write("Plugins") + write("Settings") + read("Jobs") + read("AuditLog")
    + menu("System", "Plugins", "Settings", "Jobs", "AuditLog"),
    STORE_MANAGER: read("Jobs") + menu("System", "Jobs"),
}
CATEGORY = dict(category="System", category_label=_l("System"), category_icon="fa-cogs")


@hookimpl
def retail_register_views(appbuilder):
    from app.system.views import AuditLogView, JobView, PluginsView, SettingsView

    return [
        ViewSpec(PluginsView, "Plugins", label=_l("Plugins"), icon="fa-puzzle-piece", **CATEGORY),
        ViewSpec(SettingsView, "Settings", label=_l("Settings"), icon="fa-sliders", **CATEGORY),
        ViewSpec(JobView, "Jobs", label=_l("Background jobs"), icon="fa-tasks", **CATEGORY),
        ViewSpec(AuditLogView, "AuditLog", label=_l("Audit log"), icon="fa-history", **CATEGORY),
    ]
