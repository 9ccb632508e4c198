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


# --- bidding: bidding and settlement settings ---

BID_RESULTS_VISIBLE = "recycle.bid_results_visible"

SETTINGS += [
    SettingDef(
        BID_RESULTS_VISIBLE,
        _l("Providers can see bidding results"),
        "bool",
        default=False,
        description=_l("When on, a service provider's list of bidding orders gets a bidding result column "
                       "(success / fail) and a filter by it."),
    ),
    SettingDef(
        "recycle.bid_minutes",
        _l("Bidding time (minutes)"),
        "int",
        default=60,
        min_value=1,
        max_value=43200,
        description=_l("How long a bidding-mode trade-in stays open for bids when it opens."),
    ),
    SettingDef(
        "recycle.bid_min_yuan",
        _l("Minimum bid (yuan)"),
        "int",
        default=1,
        min_value=1,
        max_value=1000000,
        description=_l("The lowest bid a provider may make, unless the merchant sets another when opening."),
    ),
    SettingDef(
        "recycle.payment_code_minutes",
        _l("Payment code validity (minutes)"),
        "int",
        default=30,
        min_value=1,
        max_value=1440,
        description=_l("How long the payment code a customer scans to receive the trade-in money is valid."),
    ),
]
