"""Core domain `loyalty`: stored value and points: accounts, ledgers, adjustments, POS recharge.

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import SettingDef, ViewSpec, hookimpl
from app.roles import CASHIER, MERCHANT, POS, STORE_MANAGER, menu, read, write

NAME = "loyalty"
TITLE = _l("Stored value and points")
VERSION = CORE_VERSION
DESCRIPTION = _l("Stored-value and points accounts, their ledgers and balance adjustments.")
DEPENDS = ()
CORE = True
ORDER = 25
MODELS = "app.loyalty.models"
DEMO = "app.loyalty.demo:seed_demo"

LEDGERS = read("StoredValueLedger") + read("PointsLedger") + menu(
    "Members", "StoredValueLedgerList", "PointsLedgerList"
)
ADJUST = write("BalanceAdjustment") + menu("BalanceAdjustment")

GRANTS = {
    MERCHANT: LEDGERS + write("PosStoredValue") + ADJUST,
    STORE_MANAGER: LEDGERS + write("PosStoredValue"),
    CASHIER: LEDGERS + write("PosStoredValue"),
    POS: write("PosStoredValue"),
}

SETTINGS = [
    SettingDef(
        "loyalty.points_per_yuan", _l("Points earned per yuan paid"), "int", 1, min_value=0, max_value=1000
    ),
    SettingDef(
        "loyalty.fen_per_point", _l("Value of one point (fen)"), "int", 1, min_value=0, max_value=10000
    ),
    SettingDef(
        "loyalty.deduction_cap_percent",
        _l("Points deduction cap (% of the order)"),
        "int",
        50,
        min_value=0,
        max_value=100,
    ),
    SettingDef("loyalty.points_usable_pos", _l("Points usable at the POS"), "bool", True),
    SettingDef("loyalty.points_usable_online", _l("Points usable online"), "bool", False),
    SettingDef(
        "loyalty.points_warning_threshold",
        _l("Points consumption warning threshold"),
        "int",
        10000,
        description=_l("Notify HQ when one document uses more points than this."),
        min_value=0,
    ),
]
CATEGORY = dict(category="Members", category_label=_l("Members"), category_icon="fa-id-card")


@hookimpl
def retail_register_views(appbuilder):
    from app.loyalty.adjust import BalanceAdjustmentView
    from app.loyalty.views import PointsLedgerView, StoredValueLedgerView

    return [
        ViewSpec(StoredValueLedgerView, "StoredValueLedgerList", label=_l("Stored-value ledger"),
                 icon="fa-credit-card", related_to=("MemberList",), **CATEGORY),
        ViewSpec(PointsLedgerView, "PointsLedgerList", label=_l("Points ledger"), icon="fa-star",
                 related_to=("MemberList",), **CATEGORY),
        ViewSpec(BalanceAdjustmentView, "BalanceAdjustment", label=_l("Adjust balance"),
                 icon="fa-balance-scale", **CATEGORY),
    ]


@hookimpl
def retail_register_apis(appbuilder):
    from app.loyalty.api import PosStoredValueApi

    return [PosStoredValueApi]


@hookimpl
def retail_member_wallet(member, store_id):
    from app.loyalty.services import points_balance, stored_value_balance

    return {"stored_value_fen": stored_value_balance(member.id), "points": points_balance(member.id)}


@hookimpl
def retail_member_detail_sections(member):
    from app.loyalty.member_detail import member_detail_sections

    return member_detail_sections(member)
