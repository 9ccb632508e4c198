"""Plugin `meituan_voucher`: Meituan/Dianping group-buy vouchers verified at the POS (SPEC §5.2).

The plugin's manifest: metadata, declared contributions (``app.manifest``) and ``@hookimpl``
functions for what needs code, nothing else.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import ViewSpec, hookimpl
from app.roles import CASHIER, MERCHANT, POS, STORE_MANAGER, menu, read, write

NAME = "meituan_voucher"
TITLE = _l("Meituan group-buy vouchers")
VERSION = "0.2.0"
DESCRIPTION = _l("Verify Meituan/Dianping group-buy vouchers at the POS, as a payment or on their own.")
DEPENDS = ()
DEFAULT_ENABLED = True
SIDEBAR = {"Meituan": 40}  # between Members and Catalog
MODELS = "plugins.meituan_voucher.models"
MIGRATIONS = "migrations/versions"
SETTINGS = "plugins.meituan_voucher.platform:SETTINGS"
JOBS = {"meituan_voucher.reconcile": "plugins.meituan_voucher.jobs:reconcile_job"}
COMMANDS = [
    "plugins.meituan_voucher.commands:meituan_simulator",
    "plugins.meituan_voucher.commands:meituan_reconcile",
    "plugins.meituan_voucher.commands:meituan_verify",
]
DEMO = "plugins.meituan_voucher.demo:seed_demo"

CATEGORY = dict(category="Meituan", category_label=_l("Meituan vouchers"), category_icon="fa-ticket")

POS_VERIFY = write("PosMeituan")
STORE_READ = read("MeituanVerifications") + read("MeituanCalls") + read("MeituanReconciliations") + menu(
    "Meituan", "MeituanVerifications", "MeituanCalls", "MeituanReconciliations"
)
GRANTS = {
    POS: POS_VERIFY,
    CASHIER: POS_VERIFY,
    STORE_MANAGER: POS_VERIFY + STORE_READ,
    MERCHANT: STORE_READ + write("MeituanShops") + write("MeituanDeals")
    + menu("MeituanShops", "MeituanDeals"),
}


@hookimpl
def retail_error_codes():
    from plugins.meituan_voucher.errors import ERRORS

    return ERRORS


@hookimpl
def retail_register_views(appbuilder):
    from plugins.meituan_voucher import views

    return [
        ViewSpec(
            views.ShopBindingView,
            name="MeituanShops",
            label=_l("Meituan shop binding"),
            icon="fa-link",
            # 门店管理-外卖对接: beside the stores
            category="Organization",
            category_label=_l("Organization"),
            category_icon="fa-sitemap",
        ),
        ViewSpec(
            views.DealMappingView,
            name="MeituanDeals",
            label=_l("Meituan deal mappings"),
            icon="fa-exchange",
            **CATEGORY,
        ),
        ViewSpec(
            views.VerificationView,
            name="MeituanVerifications",
            label=_l("Meituan verifications"),
            icon="fa-check",
            **CATEGORY,
        ),
        ViewSpec(
            views.PlatformCallView,
            name="MeituanCalls",
            label=_l("Meituan platform calls"),
            icon="fa-list",
            **CATEGORY,
        ),
        ViewSpec(
            views.ReconciliationView,
            name="MeituanReconciliations",
            label=_l("Meituan reconciliations"),
            icon="fa-balance-scale",
            **CATEGORY,
        ),
    ]


@hookimpl
def retail_register_apis(appbuilder):
    from plugins.meituan_voucher.api import PosMeituanApi

    return [PosMeituanApi]


@hookimpl
def retail_payment_methods():
    from plugins.meituan_voucher.tender import MeituanTender

    return [MeituanTender()]
