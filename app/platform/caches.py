"""The per-worker caches, in one place.

A worker keeps configuration it reads on hot paths (settings, plugin toggles,
stores and member levels, a plugin's share groups) while the configuration
version in the database holds (``cached_for_config``), and the API callers it
has read for ``CALLER_CACHE_SECONDS`` (``CallerCache``).  Whoever changes
configuration bumps the version in the same transaction
(``bump_config_version``), so every worker reloads at its next request; the
worker that made the change forgets at once (``forget_config_version``).
The role permissions (``PERMISSION_CACHE_SECONDS``) are a ``TimedEntry`` of the
security manager, and the bearer tokens this worker verified a ``VerifiedTokenCache``
(the app's JWT manager).

Not caches in this sense (nothing in them can go stale): ``functools.cache`` on
statements built once and on model inspection.
"""

from __future__ import annotations

import functools
import time

import flask_jwt_extended.view_decorators as jwt_views
from flask import current_app, g, has_app_context, has_request_context
from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config as jwt_config
from jwt import get_unverified_header
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

Principal = object  # app.principal.ApiPrincipal (not imported: the principal module uses this one)
CALLERS = "retail_callers"  # app.extensions key of the worker's CallerCache
CONFIG = "retail_config_cache"  # app.extensions key of the cached_for_config values


def bump_config_version(session=None) -> None:
    """Tell every worker that plugin toggles or settings changed, in the transaction of
    ``session`` (default: the request's).  Whoever writes ``core_setting`` rows calls it."""
    from app.extensions import db
    from app.platform.models import PluginStateVersion

    session = session if session is not None else db.session
    version_row = session.get(PluginStateVersion, 1)
    if version_row is None:
        session.add(PluginStateVersion(id=1, version=1))
    else:
        version_row.version = PluginStateVersion.version + 1


def config_version() -> int:
    """The configuration version (plugin toggles, settings, reference data), read once per
    request -- with the API caller when there is one (``app.principal``); -1 before the
    schema exists (before ``db upgrade``)."""
    from app.platform.models import PluginStateVersion

    if has_request_context() and "_config_version" in g:
        return g._config_version
    session = current_app.extensions["sqlalchemy"].session
    try:
        version = session.execute(select(PluginStateVersion.version)).scalar() or 0
    except SQLAlchemyError:
        session.rollback()
        return -1
    if has_request_context():
        g._config_version = version
    return version


def cached_for_config(name: str, load):
    """``load()``'s result, kept per worker and app while the configuration version holds.

    For configuration read on hot paths (settings, a plugin's share groups): one query
    per change instead of one per request.  Whoever changes what ``load`` reads calls
    ``bump_config_version`` in the same transaction.
    """
    version = config_version()  # read once per request
    worker = current_app.extensions.setdefault(CONFIG, {})
    hit = worker.get(name)
    if version >= 0 and hit is not None and hit[0] == version:
        return hit[1]
    value = load()
    if version >= 0:  # -1: no schema yet (before ``db upgrade``): do not keep it
        worker[name] = (version, value)
    return value


REFERENCE_MODELS: list[type] = []


def reference_data(*models: type) -> None:
    """Declare models whose rows workers keep with ``cached_for_config`` (stores, member
    levels): any ORM change to one of their rows bumps the configuration version in the
    same flush, so every worker reloads them (at once in this one)."""
    REFERENCE_MODELS.extend(m for m in models if m not in REFERENCE_MODELS)


def bump_on_reference_change(session, _flush_context, _instances) -> None:
    """``before_flush``: see ``reference_data``."""
    if not REFERENCE_MODELS:
        return
    kinds = tuple(REFERENCE_MODELS)
    for changed in (session.new, session.dirty, session.deleted):
        if any(isinstance(obj, kinds) for obj in changed):
            bump_config_version(session)
            session.info["retail_config_changed"] = True
            return


def forget_after_reference_change(session) -> None:
    """``after_commit``: this worker reads the new configuration version at once."""
    if session.info.pop("retail_config_changed", False) and has_app_context():
        forget_config_version()


def forget_config_version() -> None:
    """After committing a configuration change: this request and this worker's next
    requests read the new state (other workers within ``CALLER_CACHE_SECONDS``)."""
    callers = current_app.extensions.get(CALLERS)
    if callers is not None:
        callers.clear()  # cached API callers carry the configuration version they were read with
    if has_request_context():
        g.pop("_plugin_enabled", None)
        g.pop("_config_version", None)


class CallerCache:
    """``load_principal`` results per user id, kept per worker for ``ttl`` seconds.

    Reading the caller costs a round trip on every API request, as much as a
    POS member look-up itself.  Within the time to live a request reuses what
    this worker read; ``clear()`` (after a configuration change in this worker)
    makes the next request read again.
    """

    MAX_CALLERS = 4096

    def __init__(self, clock=time.monotonic):
        self._clock = clock  # seconds; tests pass a clock they move by hand
        self._entries: dict[int, tuple[Principal, int, float]] = {}
        # the newest configuration version any caller was read with: versions only grow, so
        # callers cached at different times agree on it and configuration caches do not flip
        self._latest_version = -1

    def get(self, user_id: int, ttl: float) -> tuple[Principal, int] | None:
        entry = self._entries.get(user_id)
        if entry is None or self._clock() - entry[2] >= ttl:
            return None
        return entry[0], max(entry[1], self._latest_version)

    def put(self, user_id: int, principal: Principal, version: int) -> None:
        if len(self._entries) >= self.MAX_CALLERS:
            self._entries.clear()
        self._latest_version = max(self._latest_version, version)
        self._entries[user_id] = (principal, version, self._clock())

    def clear(self) -> None:
        self._entries.clear()


def caller_cache(app) -> CallerCache:
    return app.extensions.setdefault(CALLERS, CallerCache())


class TimedEntry:
    """One value kept per worker for a time to live (the role permissions)."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._entry: tuple[float, object] | None = None

    def get(self, ttl: float):
        """The value while younger than ``ttl`` seconds, else None (``ttl`` 0: always None)."""
        entry = self._entry
        if entry is None or ttl <= 0 or self._clock() - entry[0] >= ttl:
            return None
        return entry[1]

    def put(self, value) -> None:
        self._entry = (self._clock(), value)

    def clear(self) -> None:
        self._entry = None


class VerifiedTokenCache(JWTManager):
    """flask-jwt-extended's manager, remembering tokens it has already verified (per worker).

    Decoding and checking a token's signature costs about as much CPU as the
    whole POS member look-up; a terminal sends the same token all day.  The
    cache is keyed by the full encoded token (signature included), so only a
    token this worker verified itself is ever a hit.  Expiry is checked again on
    every hit; an expired token goes through the library, which raises as usual.
    Revocation and the caller's user row are still read on every request.
    """

    MAX_TOKENS = 4096

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._verified: dict[tuple, dict] = {}
        self._headers: dict[str, dict] = {}

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None,
                                allow_expired: bool = False) -> dict:
        key = (encoded_token, csrf_value)
        claims = self._verified.get(key)
        if claims is not None:
            expires = claims.get("exp")
            if allow_expired or expires is None or time.time() < expires + jwt_config.leeway:
                return dict(claims)
            self._verified.pop(key, None)
            self._headers.pop(encoded_token, None)
        claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        if not allow_expired:  # only tokens that passed every check are remembered
            if len(self._verified) >= self.MAX_TOKENS:
                self._verified.clear()
                self._headers.clear()
            self._headers[encoded_token] = get_unverified_header(encoded_token)
            self._verified[key] = dict(claims)
        return claims

    def verified_headers(self, encoded_token: str) -> dict | None:
        headers = self._headers.get(encoded_token)
        return dict(headers) if headers is not None else None


def _headers_of_verified_tokens(read_headers):
    """flask-jwt-extended reads a token's header again, unverified, right after verifying it;
    for a token this worker verified, the header it saw then is the same."""

    @functools.wraps(read_headers)
    def get_unverified_jwt_headers(encoded_token: str) -> dict:
        manager = current_app.extensions.get("flask-jwt-extended")
        if isinstance(manager, VerifiedTokenCache):
            remembered = manager.verified_headers(encoded_token)
            if remembered is not None:
                return remembered
        return read_headers(encoded_token)

    return get_unverified_jwt_headers


if not hasattr(jwt_views.get_unverified_jwt_headers, "__wrapped__"):
    jwt_views.get_unverified_jwt_headers = _headers_of_verified_tokens(jwt_views.get_unverified_jwt_headers)
