"""Wrong pay codes are counted per till (the calling account) and logged.

Counters live where the login limit's do (``RATELIMIT_STORAGE_URI``: Redis, or the host's
SQLite file), so every worker sees one count.  Past the setting
``payment_code.wrong_codes_per_minute`` a till gets ``429 RATE_LIMITED`` for every code
until the minute is over: 18-digit codes with an 8-digit one-time part cannot be guessed
at that pace.  Expired, used and frozen codes are logged but not counted (an honest mistake
tells a guesser nothing new).  Every refusal is also kept for HQ (``refusals``).
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.errors import DomainError
from app.platform.settings import get_setting
from plugins.payment_code import refusals

log = logging.getLogger("retail_admin.payment_code")
COUNTED = ("PAY_CODE_MALFORMED", "PAY_CODE_INVALID")
CACHE = "payment_code.limit"


def _strategy() -> FixedWindowRateLimiter:
    strategy = current_app.extensions.get(CACHE)
    if strategy is None:
        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        strategy = current_app.extensions[CACHE] = FixedWindowRateLimiter(storage)
    return strategy


def _limit():
    return parse(f"{int(get_setting('payment_code.wrong_codes_per_minute'))} per 1 minute")


def _prefix() -> str:
    return (current_app.config.get("RATELIMIT_KEY_PREFIX") or "retail") + "-paycode"


def check_terminal(terminal: str, code, store_id: int | None) -> None:
    """Refuse a till that sent too many wrong codes this minute (``429 RATE_LIMITED``)."""
    try:
        allowed = _strategy().test(_limit(), _prefix(), terminal)
    except Exception:  # noqa: BLE001 - counters unreachable (Redis down): the till keeps working
        log.exception("pay-code counters unavailable; till %s not checked", terminal)
        return
    if not allowed:
        log.warning("pay code refused: till %s is over its limit of wrong codes", terminal)
        refusals.record(store_id, code, "RATE_LIMITED")
        raise DomainError("RATE_LIMITED", _l("Too many wrong pay codes: wait a minute and try again."),
                          retry_after=60)


def refused(terminal: str, code, error: DomainError, store_id: int | None) -> None:
    """Log and keep a refused code (never the whole code) and count it if it was wrong."""
    log.warning("pay code refused: %s till=%s code=%s", error.code, terminal, refusals.masked(code))
    refusals.record(store_id, code, error.code)
    if error.code not in COUNTED:
        return
    try:
        _strategy().hit(_limit(), _prefix(), terminal)
    except Exception:  # noqa: BLE001
        log.exception("pay-code counters unavailable; wrong code of till %s not counted", terminal)
