"""Each test in a transaction that is rolled back at its end, or on its own database.

The test opens one connection to the seeded database and begins a transaction on it;
every app of the test (the session's and any a test builds with ``make_app``) uses that
connection instead of its engine, and their sessions join with
``join_transaction_mode="create_savepoint"``: the app's commits release savepoints, its
rollbacks return to them, and the outer rollback at the end undoes everything.

A ``@read_only`` request asks for its connection in AUTOCOMMIT (PostgreSQL): inside a
test transaction it runs in it instead (tests of the autocommit itself are ``own_database``).

SQLite: pysqlite starts transactions late (and so mishandles SAVEPOINT): on the test's
connection the driver leaves transactions alone (``isolation_level=None``) and the outer
transaction is an explicit BEGIN (SQLAlchemy's pysqlite recipe, for this connection only).
"""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Connection

from app.extensions import db
from app.platform.caches import CALLERS, CONFIG
from tests.support.databases import clone_database, drop_database

APPS: weakref.WeakSet = weakref.WeakSet()  # every app this run built (tests.support.app.make_app)
_active: list[RolledBackTransaction] = []  # the running test's transaction, if it has one


def adopt(app) -> None:
    """Register ``app``; it joins the running test's transaction when on the same database."""
    APPS.add(app)
    if _active and _active[0].url == _url(app):
        _active[0].bind(app)


def forget_worker_caches(app) -> None:
    """What a worker keeps between requests: it may hold rows a rollback undid."""
    for key in (CONFIG, CALLERS):
        cache = app.extensions.get(key)
        if cache is not None:
            cache.clear()
    app.extensions["retail_plugins"]._state_cache = None
    app.appbuilder.sm.clear_permission_cache()


def reset_login_counters(app) -> None:
    """The login limit counts outside the database (a SQLite file or Redis) per minute:
    attempts of an earlier test must not count against the next one."""
    from app.ratelimit import _login_strategy

    _login_strategy(app).storage.reset()


class SharedConnection(Connection):
    """The test's connection where an app expects its engine."""

    def execution_options(self, **options):
        options.pop("isolation_level", None)  # would end the outer transaction
        return super().execution_options(**options)

    def dispose(self, close: bool = True) -> None:
        """``db.engine.dispose()`` in a test's clean-up: the engine's pool stays as it is."""


class RolledBackTransaction:
    """One connection and its outer transaction, shared by the test's apps."""

    def __init__(self, engine):
        self.url = str(engine.url)
        self.connection = SharedConnection(engine)
        self._sqlite = engine.dialect.name == "sqlite"
        if self._sqlite:
            self.connection.connection.dbapi_connection.isolation_level = None
        self.outer = self.connection.begin()
        if self._sqlite:
            self.connection.exec_driver_sql("BEGIN")
        self._bound: list = []
        self._thread = threading.get_ident()
        event.listen(self.connection, "before_cursor_execute", self._refuse_other_threads)

    def _refuse_other_threads(self, *_args) -> None:
        # one connection cannot carry several threads' transactions (savepoints get lost)
        if threading.get_ident() != self._thread:
            raise RuntimeError("a thread of this test used the test's rolled-back connection: "
                               "mark the test @pytest.mark.own_database")

    def __enter__(self):
        for app in list(APPS):
            if _url(app) == self.url:
                self.bind(app)
        _active.append(self)
        return self

    def bind(self, app) -> None:
        engines = db._app_engines[app]
        self._bound.append((app, engines[None]))
        engines[None] = self.connection
        forget_worker_caches(app)

    def __exit__(self, *_exc):
        _active.remove(self)
        for app, engine in reversed(self._bound):
            with app.app_context():
                db.session.remove()
            db._app_engines[app][None] = engine
            forget_worker_caches(app)
        self._bound.clear()
        if self.outer.is_active:
            self.outer.rollback()
        if self._sqlite:  # back to the driver's default before the pool hands it out again
            self.connection.connection.dbapi_connection.isolation_level = ""
        self.connection.close()


def _url(app) -> str:
    engine = db._app_engines[app][None]
    return str(engine.url if hasattr(engine, "url") else engine.engine.url)


class OwnDatabase:
    """A copy of ``template_url`` that ``app`` uses for one test (``own_database`` tests:
    their commits must reach other connections, threads or processes)."""

    def __init__(self, app, template_url: str):
        self.app = app
        self.url = clone_database(template_url)
        self.engine = _engine_like(app, self.url)

    def __enter__(self):
        engines = db._app_engines[self.app]
        self._previous = engines[None], self.app.config["SQLALCHEMY_DATABASE_URI"]
        self._point(self.engine, self.url)
        return self

    def __exit__(self, *_exc):
        with self.app.app_context():
            db.session.remove()
        self._point(*self._previous)
        self.engine.dispose()
        drop_database(self.url)

    def _point(self, engine, url: str) -> None:
        db._app_engines[self.app][None] = engine
        self.app.config["SQLALCHEMY_DATABASE_URI"] = url  # what a second app of the test is built on
        forget_worker_caches(self.app)


def _engine_like(app, url: str):
    """An engine on ``url`` configured as ``app``'s own (``app._configure_database``)."""
    from sqlalchemy import create_engine, event

    from app import _sqlite_pragmas

    engine = create_engine(url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine
