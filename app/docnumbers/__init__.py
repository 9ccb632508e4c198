"""Core domain `docnumbers`: document numbers (one counter per prefix, store and day).

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION

NAME = "docnumbers"
TITLE = _l("Document numbers")
VERSION = CORE_VERSION
DESCRIPTION = _l("Document numbers of every domain and plugin.")
DEPENDS = ()
CORE = True
ORDER = 100
MODELS = "app.docnumbers.models"

GRANTS: dict = {}
