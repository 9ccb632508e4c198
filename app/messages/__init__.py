"""Core domain `messages`: the message center (own messages) and the SMS outbox.

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import ViewSpec, hookimpl
from app.roles import CASHIER, GUIDE, MERCHANT, SERVICE_PROVIDER, STORE_MANAGER, menu, read, write

NAME = "messages"
TITLE = _l("Message center")
VERSION = CORE_VERSION
DESCRIPTION = _l("Messages to staff and the SMS outbox.")
DEPENDS = ()
CORE = True
ORDER = 5  # the message center comes first
SIDEBAR = {"MessageCenter": 80}  # sidebar position of its menu group (app/menu.py)
MODELS = "app.messages.models"

OWN_MESSAGES = write("Messages") + menu("MessageCenter", "Messages")

GRANTS = {
    MERCHANT: OWN_MESSAGES + read("SmsOutbox") + menu("SmsOutbox"),
    STORE_MANAGER: OWN_MESSAGES,
    CASHIER: OWN_MESSAGES,
    GUIDE: OWN_MESSAGES,
    SERVICE_PROVIDER: OWN_MESSAGES,
}
CATEGORY = dict(category="MessageCenter", category_label=_l("Message center"), category_icon="fa-envelope")


@hookimpl
def retail_register_views(appbuilder):
    from app.messages.views import MessageView, SmsOutboxView

    return [
        ViewSpec(MessageView, "Messages", label=_l("My messages"), icon="fa-inbox", **CATEGORY),
        ViewSpec(SmsOutboxView, "SmsOutbox", label=_l("SMS outbox"), icon="fa-comment", **CATEGORY),
    ]
