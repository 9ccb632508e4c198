"""Core domain `platform`: the kernel every package builds on.

Plugin state, typed settings, the audit log, idempotency records, background jobs,
the per-worker caches, and the staff row that ties a login to its store (the
security layer scopes every request by it).  It imports no layer above it: the
pages over these tables are the System domain's (``app.system``); the settings'
definitions are handed to it by the plugin host at start-up.

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on; it has no pages and grants nothing.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import SettingDef

NAME = "platform"
TITLE = _l("Platform")
VERSION = CORE_VERSION
DESCRIPTION = _l("Plugin state, settings, audit log and background jobs: the kernel under every page.")
DEPENDS = ()
CORE = True
ORDER = 0  # the kernel is registered first
MODELS = "app.platform.models"

GRANTS: dict = {}
SETTINGS = [
    SettingDef(
        "core.time_zone",
        _l("Store time zone"),
        type="choice",
        default="Asia/Shanghai",
        description=_l("Times in the admin are shown in this time zone, to the second."),
        choices=(
            ("Asia/Shanghai", _l("China Standard Time (Beijing)")),
            ("Asia/Urumqi", _l("Xinjiang time (Urumqi)")),
            ("Asia/Hong_Kong", _l("Hong Kong")),
            ("Asia/Macau", _l("Macau")),
            ("Asia/Taipei", _l("Taipei")),
            ("UTC", _l("UTC")),
        ),
    ),
]
