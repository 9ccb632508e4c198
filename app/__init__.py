"""Retail Admin application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, has_request_context, request
from flask_appbuilder import AppBuilder
from sqlalchemy import event
from werkzeug.exceptions import HTTPException

from app.api import (
    BoundedIntConverter,
    api_error_response,
    begin_read_only_request,
    domain_error_response,
    http_error,
    is_api_request,
    refuse_read_only_flush,
)
from app.errors import DomainError
from app.extensions import db
from app.layout import error_page, install_layout
from app.menu import RetailMenu
from app.platform.caches import bump_on_reference_change, forget_after_reference_change
from app.platform.settings import install_setting_definitions
from app.plugins import PluginError, PluginHost
from app.request_guards import install_request_guards, refuse_blank_names

ROOT = Path(__file__).resolve().parent.parent


def translations_dir() -> Path:
    """The core's message catalogs: compiled into the package by the build (``setup.py``) in
    an installed copy, ``translations/`` of the checkout otherwise."""
    packaged = Path(__file__).resolve().parent / "translations"
    return packaged if packaged.is_dir() else ROOT / "translations"


def create_app(overrides: dict | None = None) -> Flask:
    """Build one app: config → plugin host (core domains, then plugins) → db → FAB → their
    views, APIs, tenders and jobs, all through the same hooks."""
    import config

    app = Flask(__name__, instance_path=str(config.INSTANCE_DIR))
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    app.config.from_object(config)
    app.config.update(overrides or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    host = PluginHost(trace=app.config.get("RETAIL_TRACE_HOOKS", False))
    host.discover()
    app.extensions["retail_plugins"] = host
    install_setting_definitions(app, host.setting_definitions())  # a key defined twice fails here
    host.models()  # imports every package's models (checked) before the database is set up
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        [str(translations_dir())] + host.translation_dirs()
    )
    _configure_database(app)

    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            event.listen(db.engine, "connect", _sqlite_pragmas)
        _listen_once(db.session.session_factory.class_, "before_flush", refuse_read_only_flush)
        _listen_once(db.session.session_factory.class_, "before_flush", refuse_blank_names)
        _listen_once(db.session.session_factory.class_, "before_flush", bump_on_reference_change)
        _listen_once(db.session.session_factory.class_, "after_commit", forget_after_reference_change)
        appbuilder = AppBuilder(update_perms=False, menu=RetailMenu())
        appbuilder.init_app(app, db.session)
        app.extensions["babel"].locale_selector = _select_locale
        _install_jwt_errors(appbuilder)
        _register_views(appbuilder, host)
        host.tenders()  # a tender code registered twice fails here, at start-up
        _register_jobs(app, host)

    from flask_wtf.csrf import generate_csrf

    app.jinja_env.globals["csrf_token"] = generate_csrf
    install_request_guards(app)  # refuses bad input before any view or connection
    app.before_request(begin_read_only_request)  # first to use the database: procures the connection
    app.before_request(_guard_disabled_plugins)
    app.register_error_handler(DomainError, domain_error_response)  # ApiError is one too
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unhandled_error)
    install_layout(app)
    from app.cli import register_cli

    register_cli(app, host)
    return app


def _listen_once(target, name: str, listener) -> None:
    if not event.contains(target, name, listener):  # one process may build several apps (tests)
        event.listen(target, name, listener)


def _configure_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
    else:
        # no ping per checkout (a round trip on every request); a connection the database
        # dropped fails one request (503 SERVER_BUSY) and SQLAlchemy then renews the pool
        options.setdefault("pool_pre_ping", bool(app.config.get("DB_POOL_PRE_PING", False)))
        options.setdefault("pool_recycle", int(app.config.get("DB_POOL_RECYCLE", 1800)))
        options.setdefault("pool_size", int(app.config.get("DB_POOL_SIZE", 10)))
        options.setdefault("max_overflow", int(app.config.get("DB_MAX_OVERFLOW", 20)))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _select_locale():
    """API: Accept-Language; admin: the language chosen in FAB's switcher."""
    from flask import current_app, session

    languages = list(current_app.config["LANGUAGES"])
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    if is_api_request():
        return request.accept_languages.best_match(languages) or default
    chosen = request.args.get("_l_") or session.get("locale")
    if chosen not in languages:
        # FAB's language menu reads the session: store the default so it offers the other language
        chosen = session["locale"] = default
    return chosen


def _install_jwt_errors(appbuilder: AppBuilder) -> None:
    jwt = appbuilder.sm.jwt_manager

    def unauthorized(*_args):
        return http_error(401).to_response()

    jwt.unauthorized_loader(unauthorized)
    jwt.invalid_token_loader(unauthorized)
    jwt.expired_token_loader(unauthorized)
    jwt.revoked_token_loader(unauthorized)
    jwt.user_lookup_error_loader(unauthorized)


def _register_views(appbuilder: AppBuilder, host: PluginHost) -> None:
    """Add every package's views, links and APIs (core domains first, in menu order); a
    plugin's are hidden and answer 404 while it is disabled."""
    by_name, related = {}, []
    for package, spec in host.views(appbuilder):
        core = host.packages[package].core

        def enabled(package=package):
            return host.is_enabled(package)

        menu = dict(icon=spec.icon, label=spec.label or spec.name, category=spec.category,
                    category_icon=spec.category_icon, category_label=spec.category_label or spec.category)
        if spec.href:
            appbuilder.add_link(spec.name, href=spec.href, cond=None if core else enabled, **menu)
            continue
        if spec.name:
            view = appbuilder.add_view(spec.view, spec.name, menu_cond=None if core else enabled, **menu)
        else:
            view = appbuilder.add_view_no_menu(spec.view)
        by_name[spec.name] = view
        related.extend((target, view) for target in spec.related_to)
        if not core:
            host.blueprint_owner[view.blueprint.name] = package
    for target, view in related:  # a view listed on another package's detail pages
        if target not in by_name:
            raise PluginError(f"{type(view).__name__} is related to an unknown view {target!r}")
        by_name[target].related_views.append(type(view))
        by_name[target].get_init_inner_views().append(view)
    for package, api in host.apis(appbuilder):
        view = appbuilder.add_api(api)
        if not host.packages[package].core:
            host.blueprint_owner[view.blueprint.name] = package


def _register_jobs(app: Flask, host: PluginHost) -> None:
    from app.platform.jobs import make_huey, register_jobs

    make_huey(app)
    register_jobs(app, host.jobs(), host.periodic_tasks(), host.is_enabled)


def _guard_disabled_plugins():
    from app.plugins import plugin_host

    host = plugin_host()
    owner = host.blueprint_owner.get(request.blueprint or "")
    if owner is None:
        return
    _read_api_caller()
    if not host.is_enabled(owner):
        abort(404)


def _read_api_caller() -> None:
    """Read a bearer token's caller now, before the plugin check: the worker's cached caller
    carries the configuration version (``app.principal``), so the check costs no query.  A bad
    token is left to the endpoint's own check (401 from ``protect``)."""
    from flask_jwt_extended import verify_jwt_in_request

    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return
    try:
        verify_jwt_in_request(optional=True)
    except Exception:  # noqa: BLE001 - answered by the endpoint's own check of the token
        return


def _http_error(exc: HTTPException):
    if is_api_request():
        return api_error_response(exc)
    if exc.code is None or exc.code < 400:
        return exc  # redirects (e.g. a missing trailing slash)
    return error_page(exc)


def _unhandled_error(exc: Exception):
    if has_request_context() and is_api_request():
        return api_error_response(exc)
    raise exc


def main() -> None:
    """The ``retail-admin`` console script: the ``flask --app run`` commands."""
    from flask.cli import FlaskGroup

    FlaskGroup(create_app=lambda: create_app())()
