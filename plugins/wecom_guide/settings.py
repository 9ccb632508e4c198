"""The plugin's settings (edited on the core settings page, HQ only). The ``wecom`` helper's
settings (corp id, secret, callback token, EncodingAESKey, agent id, open-bill mode) follow in
its marked section."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.hookspecs import SettingDef

OWN_MEMBERS_ONLY = "wecom_guide.own_members_only"
PUBLIC_URL = "wecom_guide.public_url"
ACTIVATION_DAYS = "wecom_guide.activation_days"
PHOTO_MAX_KB = "wecom_guide.photo_max_kb"

SETTINGS = [
    SettingDef(
        OWN_MEMBERS_ONLY,
        _l("Guides see only their own members"),
        "bool",
        default=True,
        description=_l("When on, an account holding only the Guide role sees, everywhere (admin member "
                       "pages, exports, APIs), only the members it is the dedicated guide of; the "
                       "unclaimed pool is on the guide workbench."),
    ),
    SettingDef(
        PUBLIC_URL,
        _l("Public address of the guide workbench"),
        "str",
        default="",
        max_length=200,
        description=_l("e.g. https://shop.example.com: the start of activation links sent to members. "
                       "Empty: the address of the current request."),
    ),
    SettingDef(
        ACTIVATION_DAYS,
        _l("Activation link valid for (days)"),
        "int",
        default=30,
        min_value=1,
        max_value=365,
    ),
    SettingDef(
        PHOTO_MAX_KB,
        _l("Largest album image (KB)"),
        "int",
        default=512,
        min_value=16,
        max_value=700,  # sent base64 in a JSON body (MAX_JSON_CONTENT_LENGTH, 1 MiB)
    ),
]


# --- wecom: the WeCom app (corp id, secret, callback token, EncodingAESKey, agent id), open-bill mode ---

WECOM_BASE_URL = "wecom_guide.wecom_base_url"
WECOM_CORP_ID = "wecom_guide.corp_id"
WECOM_SECRET = "wecom_guide.corp_secret"
WECOM_CALLBACK_TOKEN = "wecom_guide.callback_token"
WECOM_AES_KEY = "wecom_guide.encoding_aes_key"
WECOM_AGENT_ID = "wecom_guide.agent_id"
WECOM_TIMEOUT = "wecom_guide.wecom_timeout_seconds"
WECOM_WELCOME_TEXT = "wecom_guide.welcome_text"
OPEN_BILL_MODE = "wecom_guide.open_bill_mode"
OPEN_BILL_MODES = (
    ("miniprogram", _l("Mini-program")),
    ("h5", _l("H5")),
    ("wecom_miniprogram", _l("WeCom (mini-program)")),
    ("wecom_h5", _l("WeCom (H5)")),
    ("off", _l("Off")),
)
WECOM_OPEN_BILL_MODES = ("wecom_miniprogram", "wecom_h5")
CALLBACK_WINDOW = "wecom_guide.callback_window_seconds"
EVENT_LEASE = "wecom_guide.event_lease_minutes"

SETTINGS += [
    SettingDef(WECOM_BASE_URL, _l("WeCom API base URL"), "str", default="http://127.0.0.1:5056",
               description=_l("https://qyapi.weixin.qq.com, or the local WeCom simulator (the default).")),
    SettingDef(WECOM_CORP_ID, _l("WeCom corp ID"), "str", default="", max_length=64),
    SettingDef(WECOM_SECRET, _l("WeCom customer-contact secret"), "str", default="", secret=True),
    SettingDef(WECOM_CALLBACK_TOKEN, _l("WeCom callback token"), "str", default="", secret=True,
               max_length=64),
    SettingDef(WECOM_AES_KEY, _l("WeCom callback EncodingAESKey"), "str", default="", secret=True,
               max_length=43, description=_l("The 43 characters shown beside the callback URL in WeCom.")),
    SettingDef(WECOM_AGENT_ID, _l("WeCom agent ID"), "str", default="", max_length=32),
    SettingDef(WECOM_TIMEOUT, _l("WeCom request timeout (seconds)"), "int", default=2, min_value=1,
               max_value=10, description=_l("WeCom waits 5 seconds for our answer to an event.")),
    SettingDef(WECOM_WELCOME_TEXT, _l("WeCom welcome message"), "str", default="", max_length=200,
               description=_l("Sent when a customer adds a guide; the activation link follows it. "
                              "Empty: a standard greeting.")),
    SettingDef(CALLBACK_WINDOW, _l("WeCom callback replay window (seconds)"), "int", default=300,
               min_value=30, max_value=3600,
               description=_l("A callback whose signed timestamp is further than this from our clock "
                              "(older or ahead) is refused as a replay.")),
    SettingDef(EVENT_LEASE, _l("WeCom event processing lease (minutes)"), "int", default=5, min_value=1,
               max_value=120, description=_l("An event still being processed after this long (the worker "
                                             "died) is processed again, once.")),
    SettingDef(OPEN_BILL_MODE, _l("Scan-to-open-bill mode"), "choice", default="off", choices=OPEN_BILL_MODES,
               description=_l("The WeCom modes show the guide's WeCom QR and open a bill only for "
                              "customers who are the guide's WeCom friends.")),
]
