"""The OpenAPI contract of every ``RetailApi``, completed from the code (not written twice).

An endpoint's docstring (FAB's YAML after ``---``) names marshmallow schemas: the
request body (``requestBody … schema: OrderIn``), query parameters
(``parameters: [{in: query, schema: ProductQuery}]``) and the result
(``x-result: OrderOut`` → ``{"result": OrderOut}``; ``x-results: SkuOut`` →
``{"count", "result": [SkuOut]}``), and lists its own error codes
(``x-error-codes: [ORDER_NOT_FOUND, …]``; a group name such as ``TENDERS``
stands for the codes installed plugins add there, see ``app/errors.py``).  ``complete_operation`` then adds
what follows from the code itself:

- path parameters from the URL rule (``<int:member_id>`` → an integer),
- the ``Idempotency-Key`` header of ``@idempotent`` endpoints,
- the security scheme (staff bearer token, member token, or public),
- the error responses, grouped by status from the registry (``app/errors.py``),
  each with the error envelope whose ``code`` is one of the listed codes; codes
  every such endpoint can answer (401/403, malformed bodies, idempotency, a
  disabled plugin's 404) are added by rule.

Schemas named in docstrings are looked up by class name, so they must be unique.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, class_registry

from app.errors import GROUPS, error_code, group_error_codes

RULE_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
MAX_ID = 2**31 - 1  # larger ids match no route (app.api.BoundedIntConverter): a 404
CONVERTERS = {
    "int": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    "float": {"type": "number", "minimum": 0},
    "path": {"type": "string", "minLength": 1},
    "uuid": {"type": "string", "format": "uuid"},
}
STRING_SEGMENT = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
MEMBER_TOKEN = "member_token"


class InputSchema(Schema):
    """Base of request bodies: unknown fields are refused (``additionalProperties: false``)."""

    class Meta:
        unknown = RAISE


def schema_class(name: str) -> type[Schema]:
    """A schema named in a docstring (``RegistryError`` when two classes share the name)."""
    return class_registry.get_class(name, all=False)


def error_envelope(codes: list[str]) -> dict:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": codes},
                    "message": {"type": "string", "description": "localized (Accept-Language)"},
                    "fields": {"type": "object", "description": "VALIDATION_ERROR: messages per field"},
                },
            }
        },
    }


def _path_parameters(rule: str, operation: dict) -> None:
    declared = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "path"}
    added = []
    for converter, name in RULE_ARGUMENT.findall(rule):
        if name in declared:
            continue
        schema = dict(CONVERTERS.get(converter, STRING_SEGMENT))
        added.append({"in": "path", "name": name, "required": True, "schema": schema})
    if added:
        operation["parameters"] = added + list(operation.get("parameters", []))


def _results(operation: dict) -> None:
    for response in operation.get("responses", {}).values():
        if not isinstance(response, dict):
            continue
        one, many = response.pop("x-result", None), response.pop("x-results", None)
        if one is None and many is None:
            continue
        if one is not None:
            body = {"type": "object", "required": ["result"], "properties": {"result": schema_class(one)}}
        else:
            body = {
                "type": "object",
                "required": ["count", "result"],
                "properties": {
                    "count": {"type": "integer", "minimum": 0},
                    "result": {"type": "array", "items": schema_class(many)},
                },
            }
        response["content"] = {"application/json": {"schema": body}}


def _automatic_codes(api, func, operation: dict, rule: str, method: str) -> list[str]:
    codes = []
    member_only = getattr(func, "retail_member_only", False)
    if member_only:
        codes += ["UNAUTHORIZED", "MEMBER_FROZEN"]
        operation["security"] = [{MEMBER_TOKEN: []}]
    elif api.get_method_permission(func.__name__):
        codes += ["UNAUTHORIZED", "FORBIDDEN"]
        if method != "get":
            codes.append("CSRF_FAILED")  # with the admin's session cookie instead of a bearer token
    else:
        operation["security"] = []  # public
    codes.append("NUL_CHARACTER")  # refused in the path, the query and bodies (app/request_guards.py)
    if "requestBody" in operation:
        codes += ["MALFORMED_JSON", "BODY_NOT_OBJECT", "JSON_TOO_DEEP", "VALIDATION_ERROR",
                  "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"]
    if any(p.get("in") == "query" for p in operation.get("parameters", [])):
        codes.append("VALIDATION_ERROR")
    if RULE_ARGUMENT.search(rule) or not type(api).__module__.startswith("app."):
        codes.append("NOT_FOUND")  # a path value that matches nothing; a disabled plugin
    if getattr(func, "retail_idempotent", False):
        codes += ["IDEMPOTENCY_KEY_INVALID", "IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_IN_PROGRESS"]
        operation.setdefault("parameters", []).append({
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 100},
            "description": "A retry with the same key and body replays the first answer and changes nothing.",
        })
    if method != "get" and not getattr(func, "retail_read_only", False):
        codes += ["CONFLICT", "BUSY_RETRY"]  # a concurrent writer won (retry)
    return codes


def _error_responses(operation: dict, codes: list[str]) -> None:
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(codes):
        entry = error_code(code)
        if entry is None:
            raise ValueError(f"x-error-codes names {code}, which is not in the registry (app/errors.py)")
        for status in entry.statuses:
            by_status.setdefault(status, []).append(code)
    responses = operation.setdefault("responses", {})
    for status, status_codes in sorted(by_status.items()):
        status_codes = sorted(status_codes)
        lines = [f"`{code}`: {error_code(code).description}" for code in status_codes]
        responses[str(status)] = {
            "description": "\n\n".join(lines),
            "content": {"application/json": {"schema": error_envelope(status_codes)}},
        }


def complete_operation(api, func, rule: str, method: str, operation: dict[str, Any]) -> None:
    """Fill in ``operation`` (one method of ``func`` at URL ``rule``) from the code; see the module doc."""
    operation["operationId"] = f"{type(api).__name__}_{func.__name__}"  # the target of links
    _path_parameters(rule, operation)
    _results(operation)
    codes = []
    for code in operation.pop("x-error-codes", None) or []:
        codes.extend(group_error_codes(code) if code in GROUPS else [code])
    codes += _automatic_codes(api, func, operation, rule, method.lower())
    _error_responses(operation, codes)
    operation["x-error-codes"] = sorted(set(codes))


def add_components(api_spec) -> None:
    """Security scheme of member (mall) tokens; staff schemes come from FAB."""
    schemes = api_spec.components.security_schemes
    if MEMBER_TOKEN not in schemes:
        api_spec.components.security_scheme(MEMBER_TOKEN, {
            "type": "http",
            "scheme": "bearer",
            "description": "A member token from POST /api/v1/mall/login (mall endpoints only).",
        })
