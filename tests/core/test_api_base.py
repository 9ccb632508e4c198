"""API base: error envelope, localized messages, idempotency keys, OpenAPI."""

import pytest

from app.extensions import db


@pytest.fixture
def pos(api_as):
    return api_as("pos1")


def _error(response):
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


def test_malformed_json_is_a_400_envelope(pos):
    response = pos.post("/api/v1/sample/notes", data="{not json",
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert _error(response)["code"] == "MALFORMED_JSON"
    response = pos.post("/api/v1/sample/notes", json=[1, 2])
    assert _error(response)["code"] == "BODY_NOT_OBJECT"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": 12}, "text"),
        ({"text": "x", "count": "many"}, "count"),
        ({"text": "x", "count": 99}, "count"),
        ({"text": "x" * 51}, "text"),
        ({}, "text"),
        ({"text": "x", "store_id": 2}, "store_id"),
        ({"text": None}, "text"),
    ],
)
def test_bad_fields_are_a_422_with_field_errors(app, pos, body, field):
    with app.app_context():
        from retail_test_plugin.models import SampleNote

        before = db.session.query(SampleNote).count()
    response = pos.post("/api/v1/sample/notes", json=body)
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["fields"]
    with app.app_context():
        assert db.session.query(SampleNote).count() == before


def test_messages_follow_accept_language(pos):
    zh = pos.post("/api/v1/sample/notes", json={}, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    en = pos.post("/api/v1/sample/notes", json={}, headers={"Accept-Language": "en-US,en;q=0.8"})
    assert _error(zh)["message"] == "部分字段无效。"
    assert _error(zh)["fields"]["text"] == ["此字段为必填项。"]
    assert _error(en)["message"] == "Some fields are invalid."


def test_auth_and_routing_errors_use_the_envelope(app):
    client = app.test_client()
    assert _error(client.get("/api/v1/sample/notes"))["code"] == "UNAUTHORIZED"
    bad = client.get("/api/v1/sample/notes", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and _error(bad)["code"] == "UNAUTHORIZED"
    assert _error(client.get("/api/v1/nothing-here"))["code"] == "NOT_FOUND"
    assert _error(client.put("/api/v1/sample/notes"))["code"] == "METHOD_NOT_ALLOWED"


def test_forbidden_without_grant(api_as):
    response = api_as("guide1").post("/api/v1/sample/notes", json={"text": "hi"})
    assert response.status_code == 403
    assert _error(response)["code"] == "FORBIDDEN"


def _note_count(app, text):
    with app.app_context():
        from retail_test_plugin.models import SampleNote

        return db.session.query(SampleNote).filter_by(text=text).count()


def test_idempotency_key_replays_the_first_result(app, pos):
    headers = {"Idempotency-Key": "k-replay-1"}
    first = pos.post("/api/v1/sample/notes", json={"text": "idem", "count": 2}, headers=headers)
    assert first.status_code == 201
    again = pos.post("/api/v1/sample/notes", json={"text": "idem", "count": 2}, headers=headers)
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert _note_count(app, "idem") == 2
    other = pos.post("/api/v1/sample/notes", json={"text": "other"}, headers=headers)
    assert other.status_code == 422
    assert _error(other)["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert _note_count(app, "other") == 0


def test_failed_request_does_not_burn_the_key(app, pos):
    headers = {"Idempotency-Key": "k-retry-after-error"}
    assert pos.post("/api/v1/sample/notes", json={"text": ""}, headers=headers).status_code == 422
    ok = pos.post("/api/v1/sample/notes", json={"text": "fixed"}, headers=headers)
    assert ok.status_code == 201
    assert _note_count(app, "fixed") == 1


def test_keys_are_per_caller(app, api_as):
    headers = {"Idempotency-Key": "shared-key"}
    for username in ("pos1", "cashier1"):
        response = api_as(username).post("/api/v1/sample/notes", json={"text": "per-caller"},
                                         headers=headers)
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
    assert _note_count(app, "per-caller") == 2


def test_without_key_each_post_acts(app, pos):
    pos.post("/api/v1/sample/notes", json={"text": "nokey"})
    pos.post("/api/v1/sample/notes", json={"text": "nokey"})
    assert _note_count(app, "nokey") == 2


def test_openapi_spec_and_swagger(app, admin_client):
    spec = admin_client.get("/api/v1/_openapi")
    assert spec.status_code == 200
    assert "/api/v1/sample/notes" in spec.get_json()["paths"]
    assert admin_client.get("/swagger/v1").status_code == 200
