"""The OpenAPI contract: who may read it, that it is valid and complete, and the error-code registry."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import error_codes  # noqa: E402

SPEC = "/api/v1/_openapi"
STAFF = ("admin", "hq", "manager1", "cashier1", "guide1", "pos1", "provider1")


# ---------------------------------------------------------------- who may read it


@pytest.mark.parametrize("username", STAFF)
def test_every_api_user_reads_the_spec_with_a_bearer_token(api_as, username):
    response = api_as(username).get(SPEC)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "/api/v1/pos/orders" in response.get_json()["paths"]


@pytest.mark.parametrize("username", ("pos1", "manager1"))
def test_logged_in_staff_open_swagger_ui(client_as, username):
    client = client_as(username)
    assert client.get("/swagger/v1").status_code == 200
    assert client.get(SPEC).status_code == 200


def test_the_spec_is_not_anonymous(app):
    anonymous = app.test_client()
    response = anonymous.get(SPEC)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "UNAUTHORIZED"
    assert anonymous.get("/swagger/v1").status_code == 302  # to the login page
    bad_token = anonymous.get(SPEC, headers={"Authorization": "Bearer not-a-token"})
    assert bad_token.status_code == 401


# ---------------------------------------------------------------- error codes


def test_every_raised_error_code_is_registered():
    from app.errors import all_error_codes

    registered = {entry.code for entry in all_error_codes()}
    raised = error_codes.raised_codes()
    missing = {code: sorted(raised[code]) for code in set(raised) - registered}
    assert not missing, f"register these codes in app/errors.py or the plugin's errors.py: {missing}"
    assert {"ORDER_ALREADY_RETURNED", "QUERY_TOO_SHORT", "COUPON_NOT_FOUND"} <= registered


def test_registered_codes_are_raised_somewhere():
    """A registered code nothing raises is a stale entry (it would mislead integrators)."""
    from app.errors import all_error_codes

    raised = set(error_codes.raised_codes())
    stale = [entry.code for entry in all_error_codes() if entry.code not in raised]
    assert not stale, stale


def test_the_scanner_finds_codes_passed_through_helpers(tmp_path):
    """The AST scan follows a helper's parameter to its callers' literals (so it can fail)."""
    found = error_codes.raised_codes()
    assert "app/sales/api.py" in " ".join(found["ORDER_NOT_FOUND"])
    assert any("rules.py" in where for where in found["COUPON_NAME_REQUIRED"])  # _refuse(code, …)
    assert "NOT_FOUND" in found  # pos_member(…, not_found="NOT_FOUND")


def test_readme_error_codes_are_generated_from_the_registry():
    text = error_codes.README.read_text(encoding="utf-8")
    wanted = error_codes.readme_with_section(text, error_codes.readme_section())
    assert text == wanted, "README error codes are out of date: run python tools/error_codes.py"
    for code in ("ORDER_ALREADY_RETURNED", "QUERY_TOO_SHORT", "COUPON_NOT_FOUND", "MEITUAN_TIMEOUT"):
        assert f"| `{code}` |" in text


def test_api_error_takes_the_registered_status(app):
    from app.api import ApiError

    with app.app_context():
        assert ApiError("ORDER_NOT_FOUND", "x").status == 404
        assert ApiError("COUPON_SOLD_OUT", "x").status == 409  # a plugin's code
        assert ApiError("ORDER_NOT_FOUND", "x", 410).status == 410  # an explicit status wins
