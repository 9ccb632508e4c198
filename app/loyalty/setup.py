from flask_babel import lazy_gettext as _l

from app.platform.settings import SettingDef
from app.security import (
    CASHIER,
    MERCHANT,
    POS,
    STORE_MANAGER,
    menu,
    read,
    write,
)

ORDER = 25

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


def register(appbuilder) -> None:
    from app.loyalty.adjust import BalanceAdjustmentView
    from app.loyalty.api import PosStoredValueApi
    from app.loyalty.views import PointsLedgerView, StoredValueLedgerView

    category = dict(category="Members", category_label=_l("Members"), category_icon="fa-id-card")
    appbuilder.add_view(
        StoredValueLedgerView, "StoredValueLedgerList", label=_l("Stored-value ledger"),
        icon="fa-credit-card", **category
    )
    appbuilder.add_view(
        PointsLedgerView, "PointsLedgerList", label=_l("Points ledger"), icon="fa-star", **category
    )
    appbuilder.add_view(
        BalanceAdjustmentView, "BalanceAdjustment", label=_l("Adjust balance"), icon="fa-balance-scale",
        **category
    )
    appbuilder.add_api(PosStoredValueApi)
