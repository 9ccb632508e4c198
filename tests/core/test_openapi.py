"""The OpenAPI contract: who may read it, that it is valid and complete, and the error-code registry."""

from pathlib import Path

import pytest

from tools import error_codes

ROOT = Path(__file__).resolve().parents[2]

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
    registered = {entry.code for entry in error_codes.registered()}
    raised = error_codes.raised_codes()
    missing = {code: sorted(raised[code]) for code in set(raised) - registered}
    assert not missing, f"register these codes in app/errors.py or the plugin's errors.py: {missing}"
    assert {"ORDER_ALREADY_RETURNED", "QUERY_TOO_SHORT", "COUPON_NOT_FOUND"} <= registered


def test_registered_codes_are_raised_somewhere():
    """A registered code nothing raises is a stale entry (it would mislead integrators)."""
    raised = set(error_codes.raised_codes())
    stale = [entry.code for entry in error_codes.registered() if entry.code not in raised]
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


def test_a_domain_error_takes_the_registered_status(app):
    from app.errors import DomainError

    with app.app_context():
        assert DomainError("ORDER_NOT_FOUND", "x").status == 404
        assert DomainError("COUPON_SOLD_OUT", "x").status == 409  # a plugin's code
        assert DomainError("ORDER_NOT_FOUND", "x", 410).status == 410  # an explicit status wins


# ---------------------------------------------------------------- a valid, complete contract


@pytest.fixture(scope="module")
def spec(app):
    from tests.support.clients import api_token

    client = app.test_client()
    response = client.get(SPEC, headers={"Authorization": f"Bearer {api_token(app, 'pos1')}"})
    assert response.status_code == 200
    return response.get_json()


def _ours(spec):
    """Operations of our APIs (app/**/api.py, plugins/**/api.py), not FAB's own security/menu APIs."""
    for path, item in spec["paths"].items():
        if path.startswith(("/api/v1/security/", "/api/v1/menu/", "/api/{version}")):
            continue
        for method, operation in item.items():
            yield path, method, operation


def test_the_spec_is_valid_openapi(spec):
    from openapi_spec_validator import validate

    validate(spec)


def test_every_path_parameter_is_declared(spec):
    import re

    missing = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            for name in re.findall(r"{(\w+)}", path):
                if name not in declared:
                    missing.append(f"{method.upper()} {path}: {name}")
    assert not missing, missing
    order = spec["paths"]["/api/v1/pos/orders/{order_no}"]["get"]["parameters"]
    assert order[0] == {"in": "path", "name": "order_no", "required": True,
                        "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}}
    wallet = spec["paths"]["/api/v1/pos/members/{member_id}/wallet"]["get"]["parameters"]
    assert wallet[0]["schema"]["type"] == "integer"


def test_every_body_is_declared_from_its_schema(spec):
    """Every endpoint that parses a JSON body declares it, from the same marshmallow schema."""
    schemas = spec["components"]["schemas"]
    bodies = {
        ("/api/v1/pos/orders", "post"): "OrderIn",
        ("/api/v1/pos/orders/{order_no}/returns", "post"): "ReturnIn",
        ("/api/v1/pos/members", "post"): "MemberIn",
        ("/api/v1/pos/stored-value/recharge", "post"): "RechargeIn",
        ("/api/v1/pos/meituan/prepare", "post"): "CodeIn",
        ("/api/v1/pos/meituan/consume", "post"): "ConsumeIn",
        ("/api/v1/pos/meituan/reverse", "post"): "CodeIn",
        ("/api/v1/pos/coupons/{code}/redeem", "post"): "RedeemIn",
        ("/api/v1/pos/coupons/{code}/issue", "post"): "IssueIn",
        ("/api/v1/mall/login", "post"): "LoginIn",
        ("/api/v1/mall/coupons/bind", "post"): "BindIn",
    }
    for (path, method), name in bodies.items():
        body = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{name}"}, (path, body)
    order = schemas["OrderIn"]
    assert set(order["required"]) == {"lines", "payments"} and order["additionalProperties"] is False
    assert order["properties"]["lines"]["items"] == {"$ref": "#/components/schemas/OrderLineIn"}
    assert schemas["OrderLineIn"]["properties"]["qty"] == {"type": "integer", "minimum": 1, "maximum": 9999}
    # every POST that reads a body says so (the ones without a body take none)
    no_body = {"/api/v1/pos/coupons/{code}/gift-code", "/api/v1/mall/coupons/rules/{rule_id}/claim",
               "/api/v1/pos/points-mall/pickups/{order_no}/ready"}
    for path, method, operation in _ours(spec):
        if method == "post" and path not in no_body:
            assert "requestBody" in operation, path


def test_every_operation_declares_its_answer_and_error_codes(spec):
    registered = {entry.code: entry for entry in error_codes.registered()}
    operations = list(_ours(spec))
    assert len(operations) >= 30
    for path, method, operation in operations:
        name = f"{method.upper()} {path}"
        successes = [s for s in operation["responses"] if s.startswith("2")]
        assert successes, name
        for status in successes:
            assert operation["responses"][status].get("content"), f"{name} {status}: no schema"
        codes = operation["x-error-codes"]
        assert codes, name
        for code in codes:
            for status in registered[code].statuses:
                answer = operation["responses"][str(status)]
                enum = answer["content"]["application/json"]["schema"]["properties"]["error"]
                assert code in enum["properties"]["code"]["enum"], (name, code)
    orders = spec["paths"]["/api/v1/pos/orders/{order_no}/returns"]["post"]
    assert "ORDER_ALREADY_RETURNED" in orders["x-error-codes"]
    assert "QUERY_TOO_SHORT" in spec["paths"]["/api/v1/pos/members"]["get"]["x-error-codes"]
    assert "COUPON_NOT_FOUND" in spec["paths"]["/api/v1/pos/coupons/{code}"]["get"]["x-error-codes"]


def test_query_parameters_come_from_the_query_schemas(spec):
    names = {p["name"] for p in spec["paths"]["/api/v1/pos/products"]["get"]["parameters"]}
    assert names == {"barcode", "q"}
    stock = spec["paths"]["/api/v1/pos/stock"]["get"]["parameters"]
    assert stock == [{"in": "query", "name": "sku_code", "required": True,
                      "schema": {"type": "string", "minLength": 1, "maxLength": 32}}]


def test_security_says_which_token(spec):
    assert spec["paths"]["/api/v1/mall/me"]["get"]["security"] == [{"member_token": []}]
    assert spec["paths"]["/api/v1/mall/login"]["post"]["security"] == []
    assert {"jwt": []} in spec["paths"]["/api/v1/pos/orders"]["post"]["security"]
    idempotency = [p for p in spec["paths"]["/api/v1/pos/orders"]["post"]["parameters"]
                   if p["in"] == "header"]
    assert idempotency and idempotency[0]["name"] == "Idempotency-Key"


def test_plugins_add_their_codes_to_core_operations(spec):
    """A sale lists the codes of the plugins' payment methods; member look-ups their refusals."""
    sale = spec["paths"]["/api/v1/pos/orders"]["post"]["x-error-codes"]
    assert {"COUPON_CODE_REQUIRED", "MEITUAN_CODE_REQUIRED", "MEITUAN_VOUCHER_USED"} <= set(sale)
    assert "TENDERS" not in sale
    wallet = spec["paths"]["/api/v1/pos/members/{member_id}/wallet"]["get"]["x-error-codes"]
    assert "MEMBER_NOT_IN_GROUP" in wallet
