from flask_babel import lazy_gettext as _l

from app.security import MERCHANT, STORE_MANAGER, menu, read, write

ORDER = 900  # the System menu comes last

GRANTS = {
    MERCHANT: write("Plugins") + write("Settings") + read("Jobs") + read("AuditLog")
    + menu("System", "Plugins", "Settings", "Jobs", "AuditLog"),
    STORE_MANAGER: read("Jobs") + menu("System", "Jobs"),
}


def register(appbuilder) -> None:
    from app.platform.views import AuditLogView, JobView, PluginsView, SettingsView

    category = dict(category="System", category_label=_l("System"), category_icon="fa-cogs")
    appbuilder.add_view(PluginsView, "Plugins", label=_l("Plugins"), icon="fa-puzzle-piece", **category)
    appbuilder.add_view(SettingsView, "Settings", label=_l("Settings"), icon="fa-sliders", **category)
    appbuilder.add_view(JobView, "Jobs", label=_l("Background jobs"), icon="fa-tasks", **category)
    appbuilder.add_view(AuditLogView, "AuditLog", label=_l("Audit log"), icon="fa-history", **category)
