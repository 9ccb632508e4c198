"""Test set-up: one database per run (SQLite file, or a fresh PostgreSQL database
when TEST_DATABASE_URL is set), the test plugin installed through entry points,
migrations + roles + demo data, and clients per demo user."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TESTS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS_DIR))
_TMP = Path(tempfile.mkdtemp(prefix="retail-tests-"))
os.environ.setdefault("RETAIL_INSTANCE_DIR", str(_TMP / "instance"))
os.environ.setdefault("SECRET_KEY", "t" * 64)

from plugin_install import install_test_plugin  # noqa: E402

install_test_plugin(_TMP / "site")

PASSWORD = "demo1234"


def _compile_catalogs() -> None:
    """Compiled catalogs are build products: make them for this run."""
    sys.path.insert(0, str(TESTS_DIR.parent / "tools"))
    import i18n

    i18n.compile_all()


def _database_url() -> str:
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        return f"sqlite:///{_TMP / 'test.db'}"
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


TEST_CONFIG = {
    "TESTING": True,
    "HUEY_IMMEDIATE": True,
    "WTF_CSRF_ENABLED": False,
    "AUTH_RATE_LIMIT": "10000 per second",
    "SERVER_NAME": None,
    "PERMISSION_CACHE_SECONDS": 0,  # tests change grants between requests
    "CALLER_CACHE_SECONDS": 0,  # ... and users, staff and settings (tests/core/test_hot_path.py: the cache)
    "DB_POOL_SIZE": 20,
    "DB_MAX_OVERFLOW": 60,  # threaded tests run 50 requests at once in one process
}


def make_app(db_url: str, **extra):
    from app import create_app

    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": db_url, **extra})


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


def login(app, username, password=PASSWORD):
    client = app.test_client()
    response = client.post(
        "/login/", data={"username": username, "password": password}, follow_redirects=False
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def admin_client(app):
    return login(app, "admin")


@pytest.fixture
def client_as(app):
    return lambda username: login(app, username)


def api_token(app, username, password=PASSWORD) -> str:
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": False},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


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


def add_store_user(app, username, role="POS", store_code="S001"):
    """A user of ``role`` working at ``store_code`` (created once)."""
    from app.extensions import db
    from app.org.models import Store
    from app.platform.staff import Staff

    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(username, username, "", f"{username}@demo.local", sm.find_role(role),
                               password=PASSWORD)
            store = db.session.query(Store).filter_by(code=store_code).one()
            db.session.add(Staff(user_id=user.id, store_id=store.id, employee_no=f"E{user.id:04d}",
                                 name=username))
            db.session.commit()
        return user.id


def statements_of(app, call):
    """``(call()'s answer, the SQL statements it sent)``."""
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def record(conn, cursor, statement, params, context, executemany):
        # role grants are cached per worker in production (PERMISSION_CACHE_SECONDS; 0 in tests)
        if "ab_permission" not in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return answer, seen
