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


# --- reset: points reset (积分清零) ---
SETTINGS += [
    SettingDef(
        "points_mall.reset_batch_size",
        _l("Points reset: members per batch"),
        "int",
        default=20000,
        min_value=1,
        max_value=1000000,
        description=_l("A points reset works through the members in batches of this many member "
                       "numbers, each committed with its checkpoint."),
    ),
    SettingDef(
        "points_mall.reset_stall_minutes",
        _l("Points reset: resumable after (minutes)"),
        "int",
        default=10,
        min_value=0,
        max_value=1440,
        description=_l("A processing reset whose last batch is older than this is taken to have "
                       "lost its worker: the job worker resumes it by itself."),
    ),
]
