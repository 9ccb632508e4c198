"""Rate limits: the login limit (HTML and API login, per account and per client address) and
Flask-Limiter as Retail Admin uses it.

Counters live where every worker sees them: in Redis when ``REDIS_URL`` is set, else in a
SQLite file under the instance directory (``RATELIMIT_STORAGE_URI``,
``retail-sqlite:///…``).  A per-worker memory store would let each worker allow the whole
limit, so that N workers allow N times the configured one.

The client address is ``request.remote_addr``: ``X-Forwarded-For`` counts only behind
``TRUSTED_PROXY_COUNT`` proxies (werkzeug's ProxyFix, installed by ``app.request_guards``).

Without default limits (``RATELIMIT_DEFAULT``) Flask-Limiter has nothing to check on a POS or
mall call, yet its ``before_request`` hook would work out, on every one, which limits apply:
a measurable share of a POS member look-up.  Limits put on a view with ``@limiter.limit``
are checked by their decorator, not by that hook, so they still apply.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from flask import current_app, request
from flask_limiter import Limiter
from limits import parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter


def is_login_request() -> bool:
    """A POST to an endpoint that checks a password: the login page (whatever auth view the
    security manager uses) or the security API's login."""
    if request.method != "POST" or not request.endpoint:
        return False
    auth_view = getattr(current_app.appbuilder.sm, "auth_view", None)
    page = f"{auth_view.endpoint}.login" if auth_view is not None else "AuthDBView.login"
    return request.endpoint in (page, "SecurityApi.login")


def is_bearer_api_call() -> bool:
    """A token-carrying call of the REST API other than FAB's own security endpoints."""
    path = request.path
    return (path.startswith("/api/v1/") and not path.startswith("/api/v1/security/")
            and request.headers.get("Authorization", "").startswith("Bearer "))


class LoginLimiter(Limiter):
    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not current_app.config.get("RATELIMIT_DEFAULT") and is_bearer_api_call():
            return None
        return super()._check_request_limit(callable_name, in_middleware)


# ---------------------------------------------------------------- the login limit


def login_attempt_allowed(username: str | None) -> bool:
    """Count one login attempt against the client address and the account; False past a limit.

    Every attempt counts (as FAB's own limit does), on the HTML and the API login alike, so
    switching between them or rotating addresses gains nothing.
    """
    config = current_app.config
    if not config.get("AUTH_RATE_LIMITED", True):
        return True
    item = parse(config["AUTH_RATE_LIMIT"])
    prefix = config.get("RATELIMIT_KEY_PREFIX") or "retail"
    account = (username or "").strip().lower()
    try:
        strategy = _login_strategy(current_app)
        allowed = strategy.hit(item, prefix, "login-address", request.remote_addr or "-")
        if account:
            allowed = strategy.hit(item, prefix, "login-account", account) and allowed
    except Exception:  # noqa: BLE001 - counters unreachable (Redis down): logins keep working
        current_app.logger.exception("login limit counters unavailable; attempt not counted")
        return True
    return allowed


def _login_strategy(app) -> FixedWindowRateLimiter:
    strategy = app.extensions.get("retail_login_limit")
    if strategy is None:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        strategy = app.extensions["retail_login_limit"] = FixedWindowRateLimiter(storage)
    return strategy


# ---------------------------------------------------------------- shared counters without Redis


class SQLiteStorage(Storage):
    """A ``limits`` storage in a SQLite file: ``retail-sqlite:///abs/path/ratelimit.db``.

    Shared by every worker process of one host (WAL, a busy timeout, one short write
    transaction per hit); for several hosts set ``REDIS_URL``.
    """

    STORAGE_SCHEME = ["retail-sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = (uri or "").split("://", 1)[-1]
        self._local = threading.local()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS counter "
                         "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)")
            self._local.conn = conn
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        conn = self._db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM counter WHERE expires <= ?", (now,))
            (count,) = conn.execute(
                "INSERT INTO counter (key, count, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET count = count + excluded.count RETURNING count",
                (key, amount, now + expiry),
            ).fetchone()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return count

    def _row(self, key: str):
        return self._db().execute(
            "SELECT count, expires FROM counter WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        self._db().execute("SELECT 1")
        return True

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counter WHERE key = ?", (key,))
