"""Settings of the coupons plugin (its grants are in its manifest, ``__init__.py``)."""

from flask_babel import lazy_gettext as _l

from app.hookspecs import SettingDef

SETTINGS = [
    SettingDef(
        "coupons.gift_token_minutes",
        _l("Gift binding code lifetime (minutes)"),
        "int",
        default=30,
        min_value=1,
        max_value=1440,
        description=_l("How long a gift coupon's QR binding code can be scanned."),
    ),
    SettingDef(
        "coupons.mall_app_id",
        _l("Mall app ID recorded on claims"),
        "str",
        default="",
        max_length=64,
        description=_l("The WeChat official account / mini-program APPID shown on mall-issued coupons."),
    ),
]
