"""The plugin's settings (edited on the core settings page, HQ only)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from app.hookspecs import SettingDef
from app.platform.settings import get_setting

MASK_ON_POS = "member_privacy.mask_on_pos"
OTHER_STORE_MAY_VIEW = "member_privacy.other_store_may_view"
OTHER_STAFF_MAY_VIEW = "member_privacy.other_staff_may_view"
ISOLATION = "member_privacy.isolation"

SETTINGS = [
    SettingDef(
        MASK_ON_POS,
        _l("Mask sensitive member info on the POS with *"),
        "bool",
        default=True,
        description=_l("Store staff see phone numbers as 138****0000 and names as 张* everywhere: "
                       "on the POS and in the admin (lists, detail and edit pages, exports). "
                       "HQ sees them in full."),
    ),
    SettingDef(
        OTHER_STORE_MAY_VIEW,
        _l("Non-home stores may view member private info (name, phone)"),
        "bool",
        default=False,
        description=_l("When off, store staff see only members whose home store is theirs."),
    ),
    SettingDef(
        OTHER_STAFF_MAY_VIEW,
        _l("Non-developer staff may view member private info (name, phone)"),
        "bool",
        default=True,
        description=_l("When off, store staff see only the members they developed."),
    ),
    SettingDef(
        ISOLATION,
        _l("Isolate members by share group"),
        "bool",
        default=False,
        description=_l(
            "When on, a member is visible and usable only in the stores of the home store's share group."
        ),
    ),
]


@dataclass(frozen=True)
class Policy:
    mask_on_pos: bool
    other_store_may_view: bool
    other_staff_may_view: bool
    isolation: bool


def policy() -> Policy:
    """The current settings, once per request (the core keeps them per worker while the
    configuration version holds, so this costs no query)."""
    if has_request_context() and "_member_privacy_policy" in g:
        return g._member_privacy_policy
    found = Policy(
        mask_on_pos=bool(get_setting(MASK_ON_POS)),
        other_store_may_view=bool(get_setting(OTHER_STORE_MAY_VIEW)),
        other_staff_may_view=bool(get_setting(OTHER_STAFF_MAY_VIEW)),
        isolation=bool(get_setting(ISOLATION)),
    )
    if has_request_context():
        g._member_privacy_policy = found
    return found
