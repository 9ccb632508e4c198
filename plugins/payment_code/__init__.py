"""Plugin `payment_code`: dynamic member pay codes (动态付款码), stored-value cards and batch card
making (批量制卡) with optional printed pay codes (SPEC §5.4).

The plugin's manifest: metadata, declared contributions (``app.manifest``) and ``@hookimpl``
functions for what needs code, nothing else.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import hookimpl
from app.roles import CASHIER, MERCHANT, POS, STORE_MANAGER, menu, read, write

NAME = "payment_code"
TITLE = _l("Pay codes and cards")
VERSION = "0.1.0"
DESCRIPTION = _l("Dynamic member pay codes, stored-value cards and batch card making.")
DEPENDS = ()
DEFAULT_ENABLED = True
SIDEBAR = {"PayCards": 25}  # sidebar rank (app/menu.py): after Members, cards are stored value
MODELS = "plugins.payment_code.models"
MIGRATIONS = "migrations/versions"
TRANSLATIONS = "translations"
SETTINGS = "plugins.payment_code.settings:SETTINGS"
JOBS = {"payment_code.generate": "plugins.payment_code.jobs:generate_cards_job"}
DEMO = "plugins.payment_code.demo:seed_demo"

GRANTS = {  # the admin pages are HQ's (Merchant; Admin has everything); tills charge and bind
    MERCHANT: write("PayCardBatches") + write("PayCards") + read("PayCardTxns") + read("PayCodeRefusals")
    + menu("PayCards", "PayCardBatchList", "PayCardList", "PayCardTxnList", "PayCodeRefusalList"),
    STORE_MANAGER: write("PosPayCode"),
    CASHIER: write("PosPayCode"),
    POS: write("PosPayCode"),
}


@hookimpl
def retail_error_codes():
    from plugins.payment_code.errors import ERRORS

    return ERRORS


@hookimpl
def retail_register_views(appbuilder):
    from plugins.payment_code.views import view_specs

    return view_specs()


@hookimpl
def retail_register_apis(appbuilder):
    from plugins.payment_code.api import MallPayCodeApi, PosPayCodeApi

    return [PosPayCodeApi, MallPayCodeApi]


@hookimpl
def retail_payment_methods():
    from plugins.payment_code.tender import PayCodeTender

    return [PayCodeTender()]



@hookimpl
def retail_member_detail_sections(member):
    from plugins.payment_code.member_detail import member_cards_section

    return [member_cards_section(member)]
