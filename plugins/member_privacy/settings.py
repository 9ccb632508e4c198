"""The plugin's settings (edited on the core settings page, HQ only)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.platform.models import Setting
from app.platform.settings import SettingDef
from plugins.member_privacy.cache import cached

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
        description=_l("Phone numbers show as 138****0000 and names as 张* on the POS."),
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


def _load_policy() -> Policy:
    defaults = {d.key: d.default for d in SETTINGS}
    query = select(Setting.key, Setting.value).where(Setting.key.in_(defaults))
    stored = dict(db.session.execute(query).all())
    value = {key: bool(stored.get(key, default)) for key, default in defaults.items()}
    return Policy(
        mask_on_pos=value[MASK_ON_POS],
        other_store_may_view=value[OTHER_STORE_MAY_VIEW],
        other_staff_may_view=value[OTHER_STAFF_MAY_VIEW],
        isolation=value[ISOLATION],
    )


def policy() -> Policy:
    """The current settings (one query, cached: see ``cache.py``)."""
    return cached("policy", _load_policy)
