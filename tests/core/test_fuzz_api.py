"""Schemathesis over EVERY operation of the OpenAPI spec (core and plugins, all plugins on),
as three staff roles (admin, a POS till, a store manager; mall operations with a member
token), plus a stateful run that follows the spec's links (sale → detail → return, …).
The spec lists every API route of the app, and each role's run is checked to have called
every operation of the spec (the admin leaves out FAB's user and role writes, see below).

No answer may be a server error (a 502/503/504 is allowed only where the operation declares
that code: Meituan not answering), and every answer must match the spec: a declared status,
the declared body (error codes from the operation's list).  Bounded: FUZZ_MAX_EXAMPLES
examples per operation and mode (positive and negative data) per role.
"""

from __future__ import annotations

import os
import re
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROLES = ("admin", "pos1", "manager1")
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))  # ~2-3 min per database on CI
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "10"))
GATEWAY = (502, 503, 504)
# FAB's own user/role administration: the admin would delete roles and users under the rest of
# the suite; other roles are still fuzzed on it (403).  Everything else runs for every role.
ADMIN_SKIPS = ("/api/v1/security/users", "/api/v1/security/roles", "/api/v1/security/groups",
               "/api/v1/security/permissions", "/api/v1/security/resources")
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
# plugins' endpoints (coupons, meituan_voucher, the test plugin; member_privacy has none): if
# one failed to register, the routes and the spec would agree without it
PLUGIN_APIS = ("/api/v1/pos/coupons", "/api/v1/mall/coupons", "/api/v1/pos/meituan", "/api/v1/sample")


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure is reported as is
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )


def no_server_error(ctx, response, case):
    """5xx is a failure, except an upstream (Meituan) 502/503/504 the operation declares."""
    if response.status_code in GATEWAY:
        code = (response.json() or {}).get("error", {}).get("code")
        if code in case.operation.definition.raw.get("x-error-codes", []):
            return None
    return not_a_server_error(ctx, response, case)


CONTRACT = [no_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def checks_for(operation):
    """Our operations (they list their error codes) must keep the whole contract; FAB's own
    (security, menu, the spec itself) are held to no server error only."""
    return CONTRACT if "x-error-codes" in operation.definition.raw else [no_server_error]


def _dependency_order(host) -> list[str]:
    ordered: list[str] = []
    while len(ordered) < len(host.plugins):
        ready = [name for name, info in host.plugins.items()
                 if name not in ordered and set(info.depends) <= set(ordered)]
        assert ready, f"plugins with dependencies that are not installed: {set(host.plugins) - set(ordered)}"
        ordered += ready
    return ordered


@pytest.fixture(scope="module", autouse=True)
def every_plugin_on(app):
    """Some plugins are off by default (member_privacy): the fuzz runs with all of them on, and
    turns off again the ones it turned on."""
    host = app.extensions["retail_plugins"]
    with app.app_context():
        turned_on = [name for name in _dependency_order(host) if not host.is_enabled(name)]
        for name in turned_on:
            host.set_enabled(name, True)
    yield
    with app.app_context():
        for name in reversed(turned_on):
            host.set_enabled(name, False)


@pytest.fixture(scope="module")
def api_schema(app):
    from tests.support.clients import api_token

    token = api_token(app, "pos1")
    spec = app.test_client().get("/api/v1/_openapi", headers={"Authorization": f"Bearer {token}"}).get_json()
    spec["servers"] = [{"url": "/"}]
    return schemathesis.openapi.from_dict(spec)


@pytest.fixture(scope="module")
def member_token(app):
    from app.extensions import db
    from app.mall.services import issue_member_token
    from app.members.models import Member

    with app.app_context():
        member = db.session.query(Member).filter_by(status="active").order_by(Member.id).first()
        return issue_member_token(member)


def _headers(app, username, member_token):
    from tests.support.clients import api_token

    staff = {"Authorization": f"Bearer {api_token(app, username)}"}
    member = {"Authorization": f"Bearer {member_token}"}
    return lambda path: member if path.startswith("/api/v1/mall/") else staff


def spec_operations(api_schema) -> set[str]:
    """``"METHOD /path"`` of every operation in the spec, read from the document itself."""
    return {f"{method.upper()} {path}" for path, item in api_schema.raw_schema["paths"].items()
            for method in item if method in HTTP_METHODS}


def _skipped_for(username, label: str) -> bool:
    method, path = label.split(" ", 1)
    return username == "admin" and path.startswith(ADMIN_SKIPS) and method != "GET"


def _operations(api_schema, username):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.label for op in operations} == spec_operations(api_schema)  # schemathesis sees them all
    assert len(operations) >= 70  # ours and FAB's
    return [op for op in operations if not _skipped_for(username, op.label)]


def test_the_spec_lists_every_api_route(app, api_schema):
    """Core and plugin endpoints alike: an API route left out of the spec would not be fuzzed."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)  # <int:id> → {id}
            routes |= {f"{method} {path}" for method in rule.methods - {"HEAD", "OPTIONS"}}
    spec = spec_operations(api_schema)
    assert routes == spec, {"routes not in the spec": routes - spec, "spec without a route": spec - routes}
    paths = {label.split(" ", 1)[1] for label in spec}
    assert [p for p in PLUGIN_APIS if not any(path.startswith(p) for path in paths)] == []


def _fuzz(app, operation, headers, mode, fuzzed: set):
    checks = checks_for(operation)
    ours = checks is CONTRACT  # FAB's own operations get fewer examples (no server error only)

    @_settings(MAX_EXAMPLES if ours else max(3, MAX_EXAMPLES // 3))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        fuzzed.add(operation.label)
        response = case.call(app=app, headers=headers)
        case.validate_response(response, checks=checks, headers=headers)

    run()


def _modes(operation):
    """Negative data needs something that can be invalid: a body, a query or header parameter, a
    number in the path (a path segment of any text has no invalid value)."""
    raw = operation.definition.raw
    parameters = [p for p in raw.get("parameters", []) if "$ref" not in p]
    negatable = "requestBody" in raw or any(
        p.get("in") != "path" or p.get("schema", {}).get("type") != "string" for p in parameters
    )
    return (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if negatable else (GenerationMode.POSITIVE,)


@pytest.mark.parametrize("username", ROLES)
def test_every_operation_as_each_role(app, api_schema, member_token, username):
    headers_for = _headers(app, username, member_token)
    failures, started, timings, fuzzed = [], time.monotonic(), [], set()
    for operation in _operations(api_schema, username):
        for mode in _modes(operation):
            begun = time.monotonic()
            try:
                _fuzz(app, operation, headers_for(operation.path), mode, fuzzed)
            except (Exception, BaseExceptionGroup) as exc:  # report every operation's failure together
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:1500]}")
            timings.append((time.monotonic() - begun, f"{operation.label} [{mode.value}]"))
    print("slowest:", sorted(timings, reverse=True)[:8])
    took = time.monotonic() - started
    assert not failures, f"{len(failures)} failures in {took:.0f}s:\n" + "\n\n".join(failures)
    expected = {label for label in spec_operations(api_schema) if not _skipped_for(username, label)}
    assert fuzzed == expected, {"never called": expected - fuzzed, "not in the spec": fuzzed - expected}


@pytest.mark.parametrize("username", ("pos1", "manager1"))
def test_stateful_links(app, api_schema, member_token, username):
    """Sequences that follow the spec's links: a sale, then its detail and a return; a new member,
    then their wallet and a recharge; a coupon looked up, then redeemed."""
    headers_for = _headers(app, username, member_token)

    base = api_schema.as_state_machine()
    transitions = " ".join(vars(base))
    for link in ("POST_api_v1_pos_orders___201_detail__GET_api_v1_pos_orders_order_no_",
                 "POST_api_v1_pos_orders___201_return__POST_api_v1_pos_orders_order_no_returns",
                 "POST_api_v1_pos_members___201_wallet__GET_api_v1_pos_members_member_id_wallet",
                 "GET_api_v1_pos_coupons___200_redeem__POST_api_v1_pos_coupons_code_redeem"):
        assert link in transitions, link  # the spec's links become the machine's transitions

    class Machine(base):
        def get_call_kwargs(self, case):
            return {"app": app, "headers": headers_for(case.operation.path)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=checks_for(case.operation), headers=kwargs.get("headers"))

    Machine.run(settings=_settings(STATEFUL_STEPS))
