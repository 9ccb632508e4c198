"""Core domain `mall`: member login to the mall (one-time SMS codes, member tokens) and its store list.

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import hookimpl

NAME = "mall"
TITLE = _l("Member mall")
VERSION = CORE_VERSION
DESCRIPTION = _l("Member login to the mall and the mall's store list.")
DEPENDS = ()
CORE = True
ORDER = 95
MODELS = "app.mall.models"

GRANTS: dict = {}  # mall endpoints need no role grants: members are not staff


@hookimpl
def retail_register_apis(appbuilder):
    from app.mall.api import MallAuthApi

    return [MallAuthApi]
