"""What every request passes before any view runs, and the headers every response carries.

One place for input that no view should ever see (issue 12 §3–5):

- a body over ``MAX_CONTENT_LENGTH`` (``MAX_JSON_CONTENT_LENGTH`` for the API) → 413
  before anything is parsed;
- an API write whose body is not ``application/json`` → 415;
- a cookie-authenticated API write without the admin's CSRF token (``X-CSRFToken``) → 403;
  a bearer-token call needs none;
- a NUL character in the path, the query, a header, a form field or a JSON string → 400;
- JSON nested deeper than ``MAX_JSON_DEPTH`` or not parseable → 400;
- a login attempt past the login limit (``app.ratelimit``) → 429.

API answers use the error envelope; admin pages get the HTTP error page.
"""

from __future__ import annotations

import json
from functools import cache

from flask import Flask, abort, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, inspect
from werkzeug.middleware.proxy_fix import ProxyFix

from app.admin_fields import FieldError
from app.api import http_error, is_api_request
from app.errors import DomainError
from app.ratelimit import is_login_request, login_attempt_allowed

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NUL = "\x00"


def install_request_guards(app: Flask) -> None:
    """Register the guard and the response headers; trust proxies only when configured."""
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.before_request(guard_request)
    app.after_request(security_headers)


def refuse(status: int, code: str, message):
    """Answer the request with ``status``: the envelope under /api/, the error page elsewhere."""
    if is_api_request():
        raise DomainError(code, message, status)
    abort(status, description=str(message))


def guard_request() -> None:
    api = is_api_request()
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")
    if api:
        limit = current_app.config.get("MAX_JSON_CONTENT_LENGTH")
        if limit:
            request.max_content_length = limit  # werkzeug refuses to read past it (413)
        if request.method in WRITE_METHODS:
            if has_body and not request.is_json:
                raise http_error(415)
            _check_api_csrf()
    if (request.content_length or 0) > (request.max_content_length or float("inf")):
        refuse(413, *_http(413))
    if NUL in request.path or _has_nul(request.args.lists()) \
            or any(NUL in value for value in request.headers.values()):
        refuse_nul()
    if request.method in WRITE_METHODS and has_body:
        if request.is_json:
            _check_json_body()
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if _has_nul(request.form.lists()):
                refuse_nul()
    if is_login_request():
        if not login_attempt_allowed(_login_username()):
            refuse(429, *_http(429))


def _http(status: int):
    error = http_error(status)
    return error.code, error.message


def refuse_nul():
    refuse(400, "NUL_CHARACTER", _l("Text may not contain NUL characters."))


def _has_nul(pairs) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in pairs)


def _check_api_csrf() -> None:
    """A browser session may call the API (the API docs do), but a write must then carry the
    session's CSRF token: another site can make the browser send the cookie, not the token."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or "_user_id" not in session:
        return
    if is_login_request():
        return  # the API login answers a token and sets no session
    from flask_wtf.csrf import ValidationError, validate_csrf

    try:
        validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
    except ValidationError:
        raise DomainError(
            "CSRF_FAILED",
            _l("Send the admin page's CSRF token in the X-CSRFToken header, or call with a bearer token."),
        ) from None


def _check_json_body() -> None:
    """Parse the JSON body once, refusing deep nesting and NULs; ``app.api.json_body`` reuses it."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return
    try:
        data = json.loads(raw)
    except RecursionError:
        _too_deep()
    except (ValueError, UnicodeDecodeError):
        refuse(400, "MALFORMED_JSON", _l("The body is not valid JSON."))
    max_depth = int(current_app.config.get("MAX_JSON_DEPTH", 32))
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                refuse_nul()
        elif isinstance(value, (list, dict)):
            if depth > max_depth:
                _too_deep()
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                value = value.values()
            stack.extend((item, depth + 1) for item in value)
    g.retail_json = data


def _too_deep():
    refuse(400, "JSON_TOO_DEEP", _l("The JSON body is nested too deeply."))


def _login_username() -> str | None:
    if request.is_json:
        data = g.get("retail_json")
        name = data.get("username") if isinstance(data, dict) else None
    else:
        name = request.form.get("username")
    return name if isinstance(name, str) else None


def security_headers(response):
    """No framing by other sites (clickjacking), no MIME sniffing, on every response."""
    headers = response.headers
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response


# ---------------------------------------------------------------- blank names


class BlankNameError(FieldError):
    """A ``name`` column set to spaces only: a 422 ``VALIDATION_ERROR`` under /api/, the
    message beside the field on an admin form; nothing is written."""

    def __init__(self, field: str):
        super().__init__(field, _l("The name may not be blank."))


@cache
def _name_columns(model) -> tuple[str, ...]:
    return tuple(column.key for column in inspect(model).column_attrs
                 if column.key == "name" and isinstance(column.columns[0].type, String))


def refuse_blank_names(session, _context, _instances) -> None:
    """``before_flush``: no form, service or API stores a name of spaces only (one rule for all).

    An empty name stays possible where a model allows it (a member registered in the mall
    has none yet); required names are refused empty by their form or schema.
    """
    for obj in (*session.new, *session.dirty):
        for key in _name_columns(type(obj)):
            value = obj.__dict__.get(key)
            if isinstance(value, str) and value and not value.strip():
                raise BlankNameError(key)
