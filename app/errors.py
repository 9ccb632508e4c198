"""The registry of API error codes: code → HTTP status(es) → what it means.

Every ``DomainError`` code is registered here (core) or by the package that raises
it: its manifest implements ``retail_error_codes`` and returns its table
(``error_table("<plugin>", {...}, groups)``, kept in the plugin's ``errors.py``).  A
plugin that joins a core path also names, in ``groups``, the codes it adds there:
``TENDERS`` (its payment method, in a sale or a return), ``MEMBER_REFUSALS``
(``retail_member_usable``) and ``SALE_REFUSALS`` (``retail_check_sale``); core
operations name the group.

``DomainError`` takes its status from here, the OpenAPI spec lists each
operation's codes from here (``x-error-codes`` in the docstrings), and
``tools/error_codes.py`` writes the README's list from here; a test fails when
code raises a code that is not registered or when the README is out of date.

``DomainError`` is what services raise to refuse something: a registered code, a lazy
localized message and details (extra envelope fields such as ``sku_code``, or ``field``
naming the form field that shows it).  Services know nothing about HTTP: only the API
error handler (``app.api``) turns a domain error into a status and the JSON envelope,
and the admin base (``app.admin_fields``) into an error beside a form field or a flash.

Descriptions are English reference text for integrators (the spec and the
README); the message a caller sees is the localized one given to ``DomainError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from flask import current_app, has_app_context

# core paths a plugin's codes can join (see the module doc)
GROUPS = ("TENDERS", "MEMBER_REFUSALS", "SALE_REFUSALS")


@dataclass(frozen=True)
class ErrorCode:
    code: str
    statuses: tuple[int, ...]  # the first is the usual one
    description: str
    owner: str = "core"
    groups: tuple[str, ...] = ()  # the core paths (``GROUPS``) a plugin adds this code to

    @property
    def status(self) -> int:
        return self.statuses[0]


class DomainError(Exception):
    """A refusal by a service: ``code`` (registered here), a lazy localized ``message`` and
    ``details`` (extra fields of the API envelope; ``field=`` names the admin form field).

    The HTTP status comes from the registry.  A code registered with several statuses
    (``MEMBER_FROZEN``: 403 at a sale, 409 at a recharge) takes ``status=`` to say which
    of its registered ones applies; ``tests/core/test_domain_errors.py`` checks that
    services give it only for such codes and only a registered one.  ``retry_after``: the
    seconds after which the same request may succeed (the API's ``Retry-After`` header).
    """

    def __init__(self, code: str, message, status: int | None = None, *, retry_after: int | None = None,
                 **details):
        super().__init__(code)
        self.code = code
        self.message = message
        self.details = details
        self._status = status
        self.retry_after = retry_after  # seconds after which the same request may succeed

    @property
    def status(self) -> int:
        """The HTTP status the API answers with (the registered one; 400 for an unregistered code)."""
        if self._status is not None:
            return self._status
        entry = error_code(self.code)
        return entry.status if entry is not None else 400

    @property
    def extra(self) -> dict:
        return self.details


def error_table(owner: str, entries: dict[str, tuple[int | tuple[int, ...], str]],
                groups: dict[str, tuple[str, ...]] | None = None) -> dict[str, ErrorCode]:
    """``{code: (status or (status, …), description)}`` → ``{code: ErrorCode}``; ``groups``
    (``{"TENDERS": (code, …)}``) says which core paths each code joins."""
    joined: dict[str, list[str]] = {}
    for group, codes in (groups or {}).items():
        if group not in GROUPS:
            raise ValueError(f"unknown error-code group {group} ({owner})")
        for code in codes:
            if code not in entries:
                raise ValueError(f"{code} is in the group {group} but not in the table ({owner})")
            joined.setdefault(code, []).append(group)
    table = {}
    for code, (status, description) in entries.items():
        statuses = status if isinstance(status, tuple) else (status,)
        table[code] = ErrorCode(code, statuses, description, owner, tuple(joined.get(code, ())))
    return table


def msgid(message) -> str:
    """The English source text of a lazy message (``_l("…")``), without needing an app."""
    args = getattr(message, "_args", None)
    return str(args[0]) if args else str(message)


CORE_ERRORS = error_table("core", {
    # request level (app/api.py)
    "BAD_REQUEST": (400, "The request could not be understood."),
    "MALFORMED_JSON": (400, "The body is not valid JSON."),
    "BODY_NOT_OBJECT": (400, "The body must be a JSON object."),
    "UNAUTHORIZED": (401, "Log in first: the token is missing, invalid or expired."),
    "FORBIDDEN": (403, "The account's role does not allow this."),
    "NOT_FOUND": (404, "Not found (unknown path or record, invisible member, or a disabled plugin)."),
    "METHOD_NOT_ALLOWED": (405, "This method is not allowed here."),
    "CONFLICT": (409, "The record was changed by someone else; try again."),
    "BUSY_RETRY": (409, "SQLite: a concurrent writer won; retry the request."),
    "PAYLOAD_TOO_LARGE": (413, "The request is too large."),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Send the body as application/json."),
    "VALIDATION_ERROR": (422, "Some fields are invalid; `fields` says which and why."),
    "RATE_LIMITED": (429, "Too many requests; wait a moment and try again."),
    "INTERNAL_ERROR": (500, "Something went wrong on our side (a bug: report it)."),
    "SERVER_BUSY": (503, "The database is busy or reconnecting; retry the request."),
    "EXPORT_FORMAT_INVALID": (422, "Exports are csv or xlsx (`format`)."),
    "IMAGE_TOO_LARGE": (413, "The image is larger than allowed (`max_bytes`)."),
    "IMAGE_TYPE_INVALID": (422, "An image must be a JPEG, PNG, GIF or WebP picture (by its content)."),
    "IDEMPOTENCY_KEY_INVALID": (400, "The Idempotency-Key is longer than 100 characters."),
    "IDEMPOTENCY_KEY_REUSED": (422, "This Idempotency-Key was used for a different request."),
    "IDEMPOTENCY_IN_PROGRESS": (409, "The first request with this Idempotency-Key is still being processed."),
    # request guards (app/request_guards.py)
    "JSON_TOO_DEEP": (400, "The JSON body is nested deeper than MAX_JSON_DEPTH."),
    "NUL_CHARACTER": (400, "A NUL character in the path, query, a form field or the JSON body."),
    "CSRF_FAILED": (403, "A write with the admin's session cookie lacks its CSRF token (X-CSRFToken)."),
    # accounts and stores
    "STORE_ACCOUNT_REQUIRED": (403, "Selling needs an account bound to a store (HQ accounts cannot sell)."),
    "STORE_REQUIRED": (403, "This needs an account bound to a store."),
    "STORE_NOT_FOUND": ((404, 422), "Unknown store."),
    # members and the mall
    "QUERY_REQUIRED": (422, "Give a phone number, a barcode or a search text."),
    "QUERY_TOO_SHORT": (422, "Search with 1 Chinese character, or 2 to 50 characters."),
    "INVALID_PHONE": (422, "Not a mainland mobile number (11 digits starting with 13-19)."),
    "INVALID_NAME": (422, "The name is empty, not text or too long."),
    "INVALID_CHOICE": (422, "The value is not one of the allowed choices."),
    "MEMBER_NOT_FOUND": (404, "Unknown member, or one the caller may not see."),
    "MEMBER_FROZEN": ((403, 409), "The member is frozen."),
    "MEMBER_PHONE_EXISTS": (409, "A member with this phone number already exists."),
    "MEMBER_REQUIRED": (422, "Stored value, points or a recharge voucher need a member on the request."),
    "MALL_CODE_INVALID": (400, "The login code is wrong or has expired; request a new one."),
    "MALL_CODE_TOO_FREQUENT": (429, "Login codes are requested too often for this number."),
    # stored value and points
    "INVALID_AMOUNT": (422, "The amount is zero, not whole fen or beyond the limit."),
    "INVALID_POINTS": (422, "Points must be a whole number of at least 0."),
    "REASON_REQUIRED": (422, "An adjustment needs a reason (2 to 200 characters)."),
    "INSUFFICIENT_BALANCE": (409, "The stored-value balance is not enough."),
    "INSUFFICIENT_POINTS": (409, "The member does not have enough points."),
    "POINTS_NOT_USABLE": (422, "Points cannot be used here."),
    "POINTS_OVER_CAP": (422, "Points may pay only part of the order (the configured cap)."),
    # catalog and stock
    "SKU_NOT_FOUND": ((404, 422), "Unknown SKU."),
    "UNKNOWN_SKU": (422, "A line names an unknown SKU code or barcode (`sku` says which)."),
    "INSUFFICIENT_STOCK": (409, "Not enough stock of a SKU at the store (`sku_code` says which)."),
    "INVALID_QTY": (422, "Quantities must be whole numbers other than 0 (positive on most documents)."),
    "INVALID_DOC_KIND": (422, "Unknown stock document kind."),
    "INVALID_REASON": (422, "The reason does not fit the stock document kind."),
    "INVALID_NOTE": (422, "The note must be text of at most 200 characters."),
    "INVALID_OTHER_STORE": (422, "A transfer needs another, existing store."),
    "INVALID_LINE": (422, "Each line needs a SKU and a quantity."),
    "NO_LINES": (422, "A stock document needs at least one line."),
    "DUPLICATE_LINE": (422, "Each SKU may appear only once on a document."),
    "DOC_NOT_DRAFT": (409, "The document was already posted or cancelled."),
    "NOT_A_TRANSFER": (409, "The document is not an incoming transfer."),
    "CANNOT_CANCEL_TRANSFER": (409, "An incoming transfer cannot be cancelled."),
    # sales and returns
    "ORDER_LINES_INVALID": (422, "An order needs 1 to 200 lines."),
    "UNKNOWN_PAYMENT_METHOD": (422, "Unknown payment method (`method` says which)."),
    "PAYMENT_METHOD_DISABLED": (409, "The payment method is switched off now."),
    "PAYMENT_MISMATCH": (422, "Payments do not add up to the amount due (the message says how much is due)."),
    "PRICE_ABOVE_LIST": (422, "A line's price is above the SKU's list price."),
    "DISCOUNT_TOO_LARGE": (422, "A discount is larger than the amount it applies to."),
    "PRICE_OVERRIDE_NOT_ALLOWED": (403, "A line below its list price beyond the price-override limit needs a "
                                        "store manager's grant or `approval`."),
    "PRICE_APPROVAL_INVALID": (403, "The `approval` is not a store manager (of this store, or HQ) with the "
                                    "right password."),
    "ORDER_NOT_FOUND": (404, "Unknown order, or one of another store."),
    "ORDER_ALREADY_RETURNED": (409, "Everything on the order was returned already."),
    "ORDER_LINE_NOT_FOUND": (422, "A return line is not on this order."),
    "RETURN_QTY_INVALID": (422, "Return quantities must be positive."),
    "RETURN_EXCEEDS_SOLD": (422, "A return would exceed what was sold (less what was returned)."),
})


_REGISTRIES: WeakKeyDictionary[Any, dict[str, ErrorCode]] = WeakKeyDictionary()


def registry_of(host) -> dict[str, ErrorCode]:
    """The core codes and those of every installed package (``host.error_codes()``, the
    ``retail_error_codes`` hook of an ``app.plugins.PluginHost``), built once per host."""
    registry = _REGISTRIES.get(host)
    if registry is None:
        registry = dict(CORE_ERRORS)
        for code, entry in host.error_codes().items():
            if code in registry and registry[code] != entry:
                owners = f"{registry[code].owner}, {entry.owner}"
                raise ValueError(f"error code {code} is registered twice ({owners})")
            registry[code] = entry
        _REGISTRIES[host] = registry
    return registry


def _registry(host=None) -> dict[str, ErrorCode]:
    """The registry of ``host``, else of the current app's plugin host; outside an app, the
    core's codes only (a request, a job or a CLI command always runs inside one)."""
    if host is None and has_app_context():
        host = current_app.extensions.get("retail_plugins")
    return registry_of(host) if host is not None else CORE_ERRORS


def group_error_codes(group: str) -> list[str]:
    """The codes the installed plugins add to ``group`` (see the module doc)."""
    return [entry.code for entry in _registry().values() if group in entry.groups]


def error_code(code: str) -> ErrorCode | None:
    return _registry().get(code)


def all_error_codes(host=None) -> list[ErrorCode]:
    """Core codes first, then each plugin's, each group by code (``host``: a plugin host when
    there is no app, as in ``tools/error_codes.py``)."""
    return sorted(_registry(host).values(), key=lambda e: (e.owner != "core", e.owner, e.code))
