"""Test set-up: one seeded database per run (a SQLite file, or a fresh PostgreSQL database
when TEST_DATABASE_URL is set: migrations, roles, demo data), the test plugin installed
through entry points, and clients per demo user.

Each test runs in a transaction rolled back at its end (``tests.support.isolation``);
a test marked ``own_database`` gets a copy of the seeded database instead, for commits
that other connections must see (threads, subprocesses, a live server)."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.support")

import tests.support.environment  # noqa: E402, F401, I001  (first: the environment the app reads)

# isort: split
from tests.support.app import PASSWORD, make_app  # noqa: E402
from tests.support.clients import api_token, login  # noqa: E402
from tests.support.databases import clone_database, drop_database, new_database_url  # noqa: E402
from tests.support.isolation import OwnDatabase, RolledBackTransaction, reset_login_counters  # noqa: E402


def _compile_catalogs() -> None:
    """Compiled catalogs are build products: make them for this run."""
    from tools import i18n

    i18n.compile_all()


def pytest_collection_modifyitems(items):
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):  # answers from another thread
            item.add_marker(pytest.mark.own_database)


@pytest.fixture(scope="session")
def seeded_db_url():
    """The run's database: migrated and seeded once, never committed to afterwards."""
    _compile_catalogs()
    url = new_database_url()
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def app(seeded_db_url):
    from app import migrations
    from app.demo import seed_demo
    from app.extensions import db

    application = make_app(seeded_db_url)
    # a session on a test's connection works in a savepoint: its commit releases it
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    with application.app_context():
        migrations.upgrade()
        application.appbuilder.sm.sync_roles(
            application.extensions["retail_plugins"].role_grants()
        )
        seed_demo(PASSWORD)
        db.session.remove()
        db.engine.dispose()
    # own_database tests copy this one: PostgreSQL copies only a database nobody is connected to
    application.config["TEST_TEMPLATE_DATABASE_URI"] = clone_database(seeded_db_url)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_database(application.config["TEST_TEMPLATE_DATABASE_URI"])


@pytest.fixture(autouse=True)
def _database(request, app, seeded_db_url):
    """The test's database: the seeded one in a transaction rolled back at the end, or
    (``own_database``) a copy of it that the session ``app`` uses during the test."""
    from app.extensions import db

    reset_login_counters(app)
    if request.node.get_closest_marker("own_database") is not None:
        with OwnDatabase(app, app.config["TEST_TEMPLATE_DATABASE_URI"]) as own:
            yield own.url
        return
    with app.app_context():
        engine = db.engine
    with RolledBackTransaction(engine):
        yield seeded_db_url


@pytest.fixture
def db_url(_database):
    """The URL of the test's database (for a second app: another worker on it)."""
    return _database


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
