"""A second test plugin that depends on ``sample`` (dependency rules)."""

from flask_babel import lazy_gettext as _l

from app.hookspecs import hookimpl

NAME = "sample_addon"
TITLE = _l("Sample add-on")
VERSION = "0.1.0"
DESCRIPTION = _l("Depends on the sample plugin.")
DEPENDS = ("sample",)
DEFAULT_ENABLED = True

GRANTS: dict = {}


@hookimpl
def retail_staff_left(staff):
    from retail_test_plugin import CALLS

    CALLS.append(("addon.retail_staff_left", staff.employee_no))
