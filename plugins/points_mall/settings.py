"""Settings of the points mall plugin (its grants are in its manifest, ``__init__.py``)."""

from flask_babel import lazy_gettext as _l

from app.hookspecs import SettingDef

SETTINGS = [
    SettingDef(
        "points_mall.pickup_code_digits",
        _l("Pick-up code digits"),
        "int",
        default=6,
        min_value=4,
        max_value=10,
        description=_l("Length of the verification code a member shows when picking up mall goods."),
    ),
]
