"""The product roles and the helpers that build their grants.

Imports nothing of the app, so every manifest (core domain or plugin) can say
what its roles may do without importing the security manager.
"""

from __future__ import annotations

ADMIN = "Admin"
MERCHANT = "Merchant"
STORE_MANAGER = "StoreManager"
CASHIER = "Cashier"
GUIDE = "Guide"
SERVICE_PROVIDER = "ServiceProvider"
POS = "POS"
PRODUCT_ROLES = (ADMIN, MERCHANT, STORE_MANAGER, CASHIER, GUIDE, SERVICE_PROVIDER, POS)
HQ_ROLES = frozenset({ADMIN, MERCHANT})

# Permissions every logged-in admin user needs (own profile, own password).
SELF_SERVICE = [
    ("can_userinfo", "UserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
]

Grants = dict[str, list[tuple[str, str]]]


def read(resource: str) -> list[tuple[str, str]]:
    return [("can_read", resource)]


def write(resource: str) -> list[tuple[str, str]]:
    return [("can_read", resource), ("can_write", resource)]


def menu(*names: str) -> list[tuple[str, str]]:
    return [("menu_access", name) for name in names]
