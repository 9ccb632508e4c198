"""The plugin's settings (edited on the core settings page, HQ only). The ``wecom`` helper's
settings (corp id, secret, callback token, EncodingAESKey, agent id, open-bill mode) follow in
its marked section."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.hookspecs import SettingDef

OWN_MEMBERS_ONLY = "wecom_guide.own_members_only"
PUBLIC_URL = "wecom_guide.public_url"
ACTIVATION_DAYS = "wecom_guide.activation_days"
PHOTO_MAX_KB = "wecom_guide.photo_max_kb"

SETTINGS = [
    SettingDef(
        OWN_MEMBERS_ONLY,
        _l("Guides see only their own members"),
        "bool",
        default=True,
        description=_l("When on, an account holding only the Guide role sees, everywhere (admin member "
                       "pages, exports, APIs), only the members it is the dedicated guide of; the "
                       "unclaimed pool is on the guide workbench."),
    ),
    SettingDef(
        PUBLIC_URL,
        _l("Public address of the guide workbench"),
        "str",
        default="",
        max_length=200,
        description=_l("e.g. https://shop.example.com: the start of activation links sent to members. "
                       "Empty: the address of the current request."),
    ),
    SettingDef(
        ACTIVATION_DAYS,
        _l("Activation link valid for (days)"),
        "int",
        default=30,
        min_value=1,
        max_value=365,
    ),
    SettingDef(
        PHOTO_MAX_KB,
        _l("Largest album image (KB)"),
        "int",
        default=512,
        min_value=16,
        max_value=700,  # sent base64 in a JSON body (MAX_JSON_CONTENT_LENGTH, 1 MiB)
    ),
]
