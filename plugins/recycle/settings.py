"""Settings of the recycle plugin (edited on System → Settings, HQ only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.hookspecs import SettingDef

REQUOTE = "recycle.requote_enabled"
PHONE_CONTACT = "recycle.phone_contact"
PHOTO_MAX_KB = "recycle.photo_max_kb"

SETTINGS = [
    SettingDef(
        REQUOTE,
        _l("Re-quote"),
        "bool",
        default=False,
        description=_l("When on, a guide may re-open a quoted trade-in (after a confirmation): it goes "
                       "back to pending review, the old price stays in the quote history and the "
                       "notifications are sent again. Applies to every mode."),
    ),
    SettingDef(
        PHONE_CONTACT,
        _l("Phone contact between reviewer and guide"),
        "bool",
        default=False,
        description=_l("When on, the reviewer sees the guide's phone on the trade-in and the guide "
                       "sees the reviewer's; when off, neither phone is shown."),
    ),
    SettingDef(
        PHOTO_MAX_KB,
        _l("Largest trade-in photo (KB)"),
        "int",
        default=5120,
        min_value=100,
        max_value=10240,
        description=_l("Photos of the device larger than this are refused."),
    ),
]
