from flask_babel import lazy_gettext as _l

from app.security import (
    CASHIER,
    GUIDE,
    MERCHANT,
    SERVICE_PROVIDER,
    STORE_MANAGER,
    menu,
    read,
    write,
)

ORDER = 5  # the message center comes first

OWN_MESSAGES = write("Messages") + menu("MessageCenter", "Messages")

GRANTS = {
    MERCHANT: OWN_MESSAGES + read("SmsOutbox") + menu("SmsOutbox"),
    STORE_MANAGER: OWN_MESSAGES,
    CASHIER: OWN_MESSAGES,
    GUIDE: OWN_MESSAGES,
    SERVICE_PROVIDER: OWN_MESSAGES,
}


def register(appbuilder) -> None:
    from app.messages.views import MessageView, SmsOutboxView

    category = dict(
        category="MessageCenter", category_label=_l("Message center"), category_icon="fa-envelope"
    )
    appbuilder.add_view(MessageView, "Messages", label=_l("My messages"), icon="fa-inbox", **category)
    appbuilder.add_view(SmsOutboxView, "SmsOutbox", label=_l("SMS outbox"), icon="fa-comment", **category)
