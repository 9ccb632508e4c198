"""Plugin `wecom_guide`: WeCom shopping-guide CRM (SPEC §5.6, issue 17).

Member ownership (专属导购, unclaimed pool, claim, transfer, release when a guide leaves),
activation, the guide's mobile workbench on a ``guide/...`` JSON API, member 360, chat
materials and HQ tasks; the WeCom integration (``wecom/``: client, callback, contact-me QR,
simulator) is appended by its own section at the end.

The plugin's manifest: metadata, declared contributions (``app.manifest``) and ``@hookimpl``
functions for what needs code, nothing else.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import hookimpl

NAME = "wecom_guide"
TITLE = _l("WeCom shopping guide")
VERSION = "0.1.0"
DESCRIPTION = _l("Dedicated guides for members (claim, transfer, release), the guide's mobile "
                 "workbench, member 360, chat materials, HQ tasks and the WeCom integration.")
DEPENDS = ("coupons",)
DEFAULT_ENABLED = True
MODELS = "plugins.wecom_guide.models"
MIGRATIONS = "migrations/versions"
TRANSLATIONS = "translations"
SETTINGS = "plugins.wecom_guide.settings:SETTINGS"

GRANTS: dict = {}


@hookimpl
def retail_error_codes():
    from plugins.wecom_guide.errors import ERRORS

    return ERRORS
