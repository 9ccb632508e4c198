"""Settings of the payment_code plugin (System → Settings)."""

from flask_babel import lazy_gettext as _l

from app.hookspecs import SettingDef

SETTINGS = [
    SettingDef(
        "payment_code.wrong_codes_per_minute",
        _l("Wrong pay codes a till may send per minute"),
        "int",
        default=5,
        min_value=1,
        max_value=100,
        description=_l("Past it the till gets 'too many requests' for a minute; every wrong code is logged."),
    ),
    SettingDef(
        "payment_code.batch_max_cards",
        _l("Most cards in one card batch"),
        "int",
        default=100_000,
        min_value=1,
        max_value=1_000_000,
    ),
    SettingDef(
        "payment_code.bind_token_minutes",
        _l("Card binding code lifetime (minutes)"),
        "int",
        default=30,
        min_value=1,
        max_value=1440,
        description=_l("How long a card's one-time binding QR code can be scanned."),
    ),
]
