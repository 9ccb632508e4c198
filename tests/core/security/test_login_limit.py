"""The login limit (issue 12 §3): HTML and API login, per account and per client address,
counted where every worker sees it (SQLite file without Redis, Redis with it); the API
login answers in the error envelope."""

from __future__ import annotations

import uuid

import pytest

from app.extensions import db
from tests.support.app import PASSWORD, make_app

LOGIN = "/api/v1/security/login"


@pytest.fixture
def workers(app, db_url):
    """``workers(n, **config)`` → n apps ("worker processes") sharing one limit store."""
    made = []

    def build(count=1, **config):
        config = {"AUTH_RATE_LIMIT": "3 per minute", "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex, **config}
        apps = [make_app(db_url, **config) for _ in range(count)]
        made.extend(apps)
        return apps

    yield build
    for worker in made:
        with worker.app_context():
            db.engine.dispose()


def _api_login(client, username, password="wrong", **kwargs):
    body = {"username": username, "password": password, "provider": "db"}
    return client.post(LOGIN, json=body, **kwargs)


def test_sequential_wrong_passwords_end_in_429(workers):
    (worker,) = workers()
    client = worker.test_client()
    codes = [_api_login(client, "cashier1").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    answer = _api_login(client, "cashier1", PASSWORD)
    assert answer.status_code == 429  # the right password does not get through either
    assert answer.get_json()["error"]["code"] == "RATE_LIMITED"


def test_rotating_forwarded_for_does_not_help(workers):
    (worker,) = workers()
    client = worker.test_client()
    codes = [_api_login(client, f"nobody{i}", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
             for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]  # no proxy is trusted: one client address


def test_behind_a_trusted_proxy_the_account_is_still_limited(workers):
    (worker,) = workers(TRUSTED_PROXY_COUNT=1)
    client = worker.test_client()
    # distinct client addresses (the proxy says so), one account
    codes = [_api_login(client, "guide1", headers={"X-Forwarded-For": f"10.0.1.{i}"}).status_code
             for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    # another account from a fresh address is not limited by that
    fresh = {"X-Forwarded-For": "10.0.1.99"}
    assert _api_login(client, "cashier2", PASSWORD, headers=fresh).status_code == 200


def test_workers_share_the_count_and_html_and_api_count_together(workers):
    first, second = workers(2)
    html = first.test_client()
    api = second.test_client()
    assert html.post("/login/", data={"username": "manager1", "password": "wrong"}).status_code == 302
    assert _api_login(api, "manager1").status_code == 401
    assert html.post("/login/", data={"username": "manager1", "password": "wrong"}).status_code == 302
    assert _api_login(api, "manager1").status_code == 429
    assert html.post("/login/", data={"username": "manager1", "password": "wrong"}).status_code == 429


def test_counted_in_redis_when_configured(workers):
    redis = pytest.importorskip("redis").Redis.from_url("redis://127.0.0.1:6379/0")
    redis.ping()  # a real Redis (CI starts one)
    prefix = uuid.uuid4().hex
    first, second = workers(2, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", RATELIMIT_KEY_PREFIX=prefix)
    codes = [_api_login(w.test_client(), "pos1").status_code for w in (first, second, first, second)]
    assert codes == [401, 401, 401, 429]
    keys = redis.keys(f"*{prefix}*")
    assert keys  # the counters are in Redis
    redis.delete(*keys)


def test_api_login_errors_use_the_envelope(app):
    client = app.test_client()
    wrong = _api_login(client, "cashier1", headers={"Accept-Language": "en"})
    assert wrong.status_code == 401
    assert wrong.get_json()["error"] == {"code": "UNAUTHORIZED", "message": "Wrong user name or password."}
    zh = _api_login(client, "cashier1", headers={"Accept-Language": "zh"})
    assert zh.get_json()["error"]["message"] == "用户名或密码错误。"


@pytest.mark.parametrize("body, field", [
    ({"username": "cashier1", "password": PASSWORD}, "provider"),
    ({"username": "cashier1", "provider": "db"}, "password"),
    ({"password": PASSWORD, "provider": "db"}, "username"),
    ({"username": 5, "password": PASSWORD, "provider": "db"}, "username"),
    ({"username": "cashier1", "password": PASSWORD, "provider": "oauth"}, "provider"),
    ({"username": "cashier1", "password": PASSWORD, "provider": "db", "refresh": "maybe"}, "refresh"),
    ({"username": "   ", "password": PASSWORD, "provider": "db"}, "username"),
])
def test_a_missing_or_invalid_login_field_is_a_422(app, body, field):
    answer = app.test_client().post(LOGIN, json=body)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and field in error["fields"]


def test_api_login_still_answers_tokens(app):
    answer = _api_login(app.test_client(), "pos1", PASSWORD)
    assert answer.status_code == 200 and answer.get_json()["access_token"]
    refresh = app.test_client().post(LOGIN, json={"username": "pos1", "password": PASSWORD, "provider": "db",
                                                  "refresh": True})
    assert refresh.get_json()["refresh_token"]


def test_unreachable_counters_do_not_stop_logins(workers):
    (worker,) = workers(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")  # nothing listens there
    assert _api_login(worker.test_client(), "pos1", PASSWORD).status_code == 200
