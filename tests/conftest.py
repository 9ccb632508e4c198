"""Test set-up: one database per run (SQLite file, or a fresh PostgreSQL database
when TEST_DATABASE_URL is set), the test plugin installed through entry points,
migrations + roles + demo data, and clients per demo user."""

from __future__ import annotations

import os
import uuid

import pytest

pytest.register_assert_rewrite("tests.support")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.support.app import PASSWORD, make_app  # noqa: E402, I001
from tests.support.clients import api_token, login  # noqa: E402
from tests.support.environment import RUN_DIR  # noqa: E402  (first: sets the environment the app reads)


def _compile_catalogs() -> None:
    """Compiled catalogs are build products: make them for this run."""
    from tools import i18n

    i18n.compile_all()


def _database_url() -> str:
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        return f"sqlite:///{RUN_DIR / 'test.db'}"
    url = make_url(pg)
    name = f"retail_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_database(db_url: str) -> None:
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def db_url():
    _compile_catalogs()
    url = _database_url()
    yield url
    _drop_database(url)


@pytest.fixture(scope="session")
def app(db_url):
    from app import migrations
    from app.demo import seed_demo

    application = make_app(db_url)
    with application.app_context():
        migrations.upgrade()
        application.appbuilder.sm.sync_roles(
            application.extensions["retail_plugins"].role_grants()
        )
        seed_demo(PASSWORD)
    yield application
    with application.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def is_postgres(db_url):
    return db_url.startswith("postgresql")


@pytest.fixture
def admin_client(app):
    return login(app, "admin")


@pytest.fixture
def client_as(app):
    return lambda username: login(app, username)


@pytest.fixture
def api_as(app):
    """``api_as("pos1")`` → a client whose requests carry that user's bearer token."""

    class ApiClient:
        def __init__(self, username):
            self.client = app.test_client()
            self.headers = {"Authorization": f"Bearer {api_token(app, username)}"}

        def _call(self, method, path, headers=None, **kwargs):
            return getattr(self.client, method)(
                path, headers={**self.headers, **(headers or {})}, **kwargs
            )

        def get(self, path, **kwargs):
            return self._call("get", path, **kwargs)

        def post(self, path, **kwargs):
            return self._call("post", path, **kwargs)

    return ApiClient


@pytest.fixture
def restore_plugins(app):
    """Re-enable every plugin after a test that toggles them."""
    yield
    with app.app_context():
        from app.extensions import db
        from app.platform.models import PluginState

        host = app.extensions["retail_plugins"]
        for name in ("sample", "sample_addon"):
            state = db.session.get(PluginState, name)
            if state is not None and not state.enabled:
                host.set_enabled(name, True)
        db.session.commit()
