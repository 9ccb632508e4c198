"""The test configuration and app factory (a fresh app on a given database)."""

from __future__ import annotations

PASSWORD = "demo1234"

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
    # the suite logs in thousands of times: scrypt (the product's default, ~0.16 s a check) would
    # cost minutes; the hash's strength is not what the tests are about
    "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
}


def make_app(db_url: str, **extra):
    """An app as a worker would build it; inside a test it shares the test's transaction
    (``tests.support.isolation``) when it is on the test's database."""
    from app import create_app
    from tests.support import isolation

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": db_url, **extra})
    isolation.adopt(app)
    return app
