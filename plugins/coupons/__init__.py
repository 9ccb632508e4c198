"""Plugin `coupons`: coupon registration & issuance (券注册发行), POS redemption, gift binding codes.

The plugin's manifest: metadata, declared contributions (``app.manifest``) and ``@hookimpl``
functions for what needs code, nothing else.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import hookimpl
from app.roles import CASHIER, MERCHANT, POS, STORE_MANAGER, menu, read, write

NAME = "coupons"
TITLE = _l("Coupons")
VERSION = "0.1.0"
DESCRIPTION = _l("Coupon rules, physical and electronic coupons, POS redemption and gift binding codes.")
DEPENDS = ()
DEFAULT_ENABLED = True
SIDEBAR = {"Coupons": 30}  # between Members and Catalog
MODELS = "plugins.coupons.models"
MIGRATIONS = "migrations/versions"
SETTINGS = "plugins.coupons.settings:SETTINGS"
JOBS = {"coupons.generate": "plugins.coupons.jobs:generate_coupons_job"}
DEMO = "plugins.coupons.demo:seed_demo"

GRANTS = {
    MERCHANT: write("CouponRules")
    + write("Coupons")
    + read("CouponRedemptions")
    + read("CouponFinanceDocs")
    + menu("Coupons", "CouponRules", "CouponList", "CouponRedemptions", "CouponFinanceDocs"),
    STORE_MANAGER: read("CouponRules")
    + write("Coupons")
    + read("CouponRedemptions")
    + write("PosCoupons")
    + menu("Coupons", "CouponRules", "CouponList", "CouponRedemptions"),
    CASHIER: read("CouponRules")
    + read("Coupons")
    + read("CouponRedemptions")
    + write("PosCoupons")
    + menu("Coupons", "CouponList", "CouponRedemptions"),
    POS: write("PosCoupons"),
}


@hookimpl
def retail_error_codes():
    from plugins.coupons.errors import ERRORS

    return ERRORS


@hookimpl
def retail_register_views(appbuilder):
    from plugins.coupons.views import view_specs

    return view_specs()


@hookimpl
def retail_register_apis(appbuilder):
    from plugins.coupons.api import MallCouponsApi, PosCouponsApi

    return [PosCouponsApi, MallCouponsApi]


@hookimpl
def retail_payment_methods():
    from plugins.coupons.tender import CouponTender

    return [CouponTender()]


@hookimpl
def retail_member_wallet(member, store_id):
    from plugins.coupons.services import wallet_coupons

    return {"coupons": wallet_coupons(member, store_id)}


@hookimpl
def retail_member_detail_sections(member, viewer):
    from plugins.coupons.member_detail import member_coupons_section

    return [member_coupons_section(member, viewer)]
