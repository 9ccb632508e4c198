"""POS/mall API base: the error envelope, JSON body parsing, idempotency keys.

Every API error is ``{"error": {"code": "UPPER_SNAKE", "message": "…"}}`` with
a 4xx status; the message follows ``Accept-Language`` (zh/en).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from flask import Response, current_app, g, has_request_context, jsonify, request
from flask_appbuilder.api import BaseApi
from flask_appbuilder.const import PERMISSION_PREFIX
from flask_appbuilder.security.decorators import protect as fab_protect
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import verify_jwt_in_request
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from app.errors import DomainError
from app.extensions import db
from app.openapi import MAX_ID as OPENAPI_MAX_ID
from app.openapi import add_components, complete_operation
from app.unit_of_work import unit_of_work

MAX_ID = OPENAPI_MAX_ID  # ids and quantities beyond this are refused before reaching the database



class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` of every route (ours and FAB's): at most ``MAX_ID``, so a larger number
    matches no route (404) instead of overflowing in the database (a 500 in FAB's own APIs)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


READ_WRITE_METHODS = {
    "get": "read",
    "get_list": "read",
    "info": "read",
    "post": "write",
    "put": "write",
    "delete": "write",
}


class ApiError(DomainError):
    """An error of the HTTP layer itself (request parsing, idempotency keys), used only in
    this module (``tests/core/test_domain_errors.py`` checks): everything else raises
    ``app.errors.DomainError``.  Both become the envelope through ``domain_error_response``."""

    def __init__(self, code: str, message, status: int | None = None, **extra: Any):
        super().__init__(code, message, status, **extra)

    def to_response(self) -> Response:
        return domain_error_response(self)


def domain_error_response(exc: DomainError) -> Response:
    """The envelope of a domain error: its registered status (app/errors.py), its code,
    its localized message and its details."""
    body = {"error": {"code": exc.code, "message": str(exc.message), **exc.details}}
    response = jsonify(body)
    response.status_code = exc.status
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


HTTP_ERRORS = {
    400: ("BAD_REQUEST", _l("The request could not be understood.")),
    401: ("UNAUTHORIZED", _l("Log in first: the token is missing, invalid or expired.")),
    403: ("FORBIDDEN", _l("You are not allowed to do this.")),
    404: ("NOT_FOUND", _l("Not found.")),
    405: ("METHOD_NOT_ALLOWED", _l("This method is not allowed here.")),
    409: ("CONFLICT", _l("The record was changed by someone else; try again.")),
    413: ("PAYLOAD_TOO_LARGE", _l("The request is too large.")),
    415: ("UNSUPPORTED_MEDIA_TYPE", _l("Send the body as application/json.")),
    422: ("VALIDATION_ERROR", _l("Some fields are invalid.")),
    429: ("RATE_LIMITED", _l("Too many requests; wait a moment and try again.")),
    500: ("INTERNAL_ERROR", _l("Something went wrong on our side.")),
}

# marshmallow's English messages, translated through our catalogs
FIELD_MESSAGES = {
    "Unknown field.": _l("Unknown field."),
    "Missing data for required field.": _l("This field is required."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid list.": _l("Not a valid list."),
    "Invalid input type.": _l("Invalid input type."),
    "Field may not be null.": _l("This field may not be null."),
}


def http_error(status: int, **extra) -> ApiError:
    code, message = HTTP_ERRORS.get(status, HTTP_ERRORS[400])
    return ApiError(code, message, status, **extra)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _localize_field_errors(messages):
    if isinstance(messages, dict):
        return {k: _localize_field_errors(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [_localize_field_errors(m) for m in messages]
    return str(FIELD_MESSAGES.get(messages, messages))


def validation_error(err: ValidationError) -> ApiError:
    return ApiError(
        "VALIDATION_ERROR",
        _l("Some fields are invalid."),
        422,
        fields=_localize_field_errors(err.normalized_messages()),
    )


def json_body(schema: Schema | None = None, unknown=RAISE) -> dict:
    """Parse the JSON object body, validating with ``schema`` (unknown fields refused).

    The body was parsed and checked (type, size, depth, NULs) by ``app.request_guards``
    before the view ran; that parse is reused.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        data: Any = {}
    elif "retail_json" in g:
        data = g.retail_json
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError("MALFORMED_JSON", _l("The body is not valid JSON."), 400) from exc
    if not isinstance(data, dict):
        raise ApiError("BODY_NOT_OBJECT", _l("The body must be a JSON object."), 400)
    if schema is None:
        return data
    try:
        loaded = schema.load(data, unknown=unknown)
    except ValidationError as err:
        raise validation_error(err) from err
    blank = {name: ["Missing data for required field."] for name, field in schema.fields.items()
             if field.required and isinstance(loaded.get(field.attribute or name), str)
             and not loaded[field.attribute or name].strip()}
    if blank:  # a required text of spaces only is missing, in every schema
        raise validation_error(ValidationError(blank))
    return loaded


def api_error_response(exc: Exception) -> Response:
    """Map any exception raised under /api/ to the envelope (one place)."""
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, ValidationError):
        return validation_error(exc).to_response()
    if isinstance(exc, HTTPException):
        return http_error(exc.code or 500).to_response()
    from app.admin_fields import FieldError  # (it imports this module)

    if isinstance(exc, FieldError) and exc.field:  # a rule checked at flush (blank names)
        db.session.rollback()
        return validation_error(ValidationError({exc.field: [str(exc.message)]})).to_response()
    if isinstance(exc, (DataError, OverflowError)):  # a value the database cannot hold
        db.session.rollback()
        return http_error(422).to_response()
    if isinstance(exc, IntegrityError):
        db.session.rollback()
        return ApiError("CONFLICT", HTTP_ERRORS[409][1], 409).to_response()
    if isinstance(exc, PoolTimeoutError):
        db.session.rollback()
        return ApiError("SERVER_BUSY", _l("The server is busy; retry the request."), 503).to_response()
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        # the database restarted under a pooled connection; the pool reconnects on the retry
        db.session.rollback()
        return ApiError("SERVER_BUSY", _l("The server is busy; retry the request."), 503).to_response()
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        db.session.rollback()  # SQLite writer lost a race: a clean retry-able answer
        return ApiError("BUSY_RETRY", _l("The server is busy; retry the request."), 409).to_response()
    db.session.rollback()
    current_app.logger.exception("unhandled API error")
    return http_error(500).to_response()


class RetailApi(BaseApi):
    """Base class of every POS/mall API: FAB's auth, our envelope and permission names."""

    method_permission_name = READ_WRITE_METHODS
    allow_browser_login = True

    def response_400(self, message=None):
        return http_error(400).to_response()

    def response_401(self):
        return http_error(401).to_response()

    def response_403(self):
        return http_error(403).to_response()

    def response_404(self):
        return http_error(404).to_response()

    def response_422(self, message=None):
        return http_error(422).to_response()

    def response_500(self, message=None):
        return http_error(500).to_response()

    # the OpenAPI spec: FAB reads the docstrings, ``app.openapi`` completes them from the code
    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        rule = next((url for url, _ in func._urls if self.path_helper(path=url) == path), "")
        for method in methods:
            complete_operation(self, func, rule, method, operations[method.lower()])

    def add_apispec_components(self, api_spec) -> None:
        super().add_apispec_components(api_spec)
        add_components(api_spec)


# ---------------------------------------------------------------- permission check


def protect():
    """FAB's ``protect()`` for our APIs, with the bearer token checked first.

    FAB tries the browser session before the token and asks the security manager
    twice on every token request; a POS terminal always sends a token.  A request
    with ``Authorization: Bearer`` is checked here by the same rule (the method's
    permission on the class, for the token's user); any other request goes through
    FAB's own wrapper (browser session for the API docs, public items, 401).
    """

    def decorator(view):
        fab_checked = fab_protect()(view)  # also names the permission (``_permission_name``)

        @functools.wraps(fab_checked)
        def wrapper(self, *args, **kwargs):
            if not request.headers.get("Authorization", "").startswith("Bearer "):
                return fab_checked(self, *args, **kwargs)
            name = (self.method_permission_name or {}).get(view.__name__) or view._permission_name
            permission = f"{PERMISSION_PREFIX}{name}"
            if permission not in self.base_permissions:
                return self.response_403()
            verify_jwt_in_request()  # 401 through the JWT loaders; sets g.user (load_user_jwt)
            if current_app.appbuilder.sm._has_view_access(g.user, permission, self.class_permission_name):
                return view(self, *args, **kwargs)
            return self.response_403()

        return wrapper

    return decorator


# ---------------------------------------------------------------- read-only requests


def read_only(view):
    """Mark an endpoint that writes nothing (innermost decorator, under ``@protect()``).

    On PostgreSQL its statements then run outside a transaction: psycopg would
    otherwise send BEGIN before the first statement and the session ROLLBACK at
    the end, two round trips that cost a POS look-up more than its query.  Any
    ORM flush in such a request is a bug and raises (see ``refuse_read_only_flush``).
    """
    view.retail_read_only = True
    return view


def begin_read_only_request() -> None:
    """``before_request``: procure the connection in autocommit for ``@read_only`` endpoints."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "retail_read_only", False) and db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        g.retail_read_only = True


def refuse_read_only_flush(session, _context, _instances) -> None:
    """``before_flush``: a ``@read_only`` request must not write (it has no transaction)."""
    if (session.new or session.dirty or session.deleted) and has_request_context() \
            and g.get("retail_read_only"):
        raise RuntimeError(f"{request.endpoint} is marked @read_only but wrote to the database")


# ---------------------------------------------------------------- idempotency


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record) -> Response:
    response = Response(record.response, status=record.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


class _Refused(Exception):
    """A view answered with a 4xx/5xx without raising: its unit of work rolls back."""

    def __init__(self, response: Response):
        super().__init__(response.status_code)
        self.response = response


def idempotent_with(record_model, owner_field: str, owner_id):
    """Build an ``Idempotency-Key`` decorator for POST endpoints.

    Records live in ``record_model()`` (columns ``<owner_field>``, ``key``,
    ``fingerprint``, ``status_code``, ``response``, unique per owner and key);
    ``owner_id()`` gives the caller's id.  The view runs inside one unit of work
    that also holds the record (the services' own units join it), so the effect
    and the stored answer are committed together; a retry replays the stored
    response and changes nothing.  A failed request (an error, or a 4xx answer)
    rolls its record back with everything else, so it can be retried.
    ``idempotent`` is this for staff callers; plugins use it for other callers
    (mall members).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get("Idempotency-Key", "").strip()
            if not key:
                return view(*args, **kwargs)
            if len(key) > 100:
                raise ApiError("IDEMPOTENCY_KEY_INVALID", _l("The Idempotency-Key is too long."), 400)
            model = record_model()
            owner = {owner_field: owner_id(), "key": key}

            def stored():
                return db.session.query(model).filter_by(**owner).first()

            fingerprint = _fingerprint()
            existing = stored()
            if existing is not None:
                return _answer_existing(existing, fingerprint)
            try:
                with unit_of_work():
                    record = model(**owner, fingerprint=fingerprint)
                    db.session.add(record)
                    # claim the key before the view runs: a concurrent twin waits here (unique
                    # index) and then replays this answer, instead of calling Meituan or moving
                    # money a second time only to be rolled back
                    db.session.flush()
                    response = current_app.make_response(view(*args, **kwargs))
                    if response.status_code >= 400:
                        raise _Refused(response)
                    record.status_code = response.status_code
                    record.response = response.get_data(as_text=True)
            except _Refused as refused:
                return refused.response
            except IntegrityError:
                existing = stored()  # a concurrent twin stored first: answer with its result
                if existing is None:
                    raise
                return _answer_existing(existing, fingerprint)
            return response

        wrapper.retail_idempotent = True  # documented in the spec (Idempotency-Key header)
        return wrapper

    return decorator


def _staff_record_model():
    from app.platform.models import IdempotencyRecord

    return IdempotencyRecord


def _staff_id():
    from app.actor import acting_user

    return acting_user().id


idempotent = idempotent_with(_staff_record_model, "user_id", _staff_id)


def _answer_existing(record, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise ApiError(
            "IDEMPOTENCY_KEY_REUSED",
            _l("This Idempotency-Key was used for a different request."),
            422,
        )
    if record.response is None:
        raise ApiError(
            "IDEMPOTENCY_IN_PROGRESS",
            _l("The first request with this Idempotency-Key is still being processed."),
            409,
        )
    return _replay(record)


__all__ = ["ApiError", "DomainError", "RetailApi", "idempotent", "json_body", "protect", "read_only",
           "EXCLUDE", "RAISE"]
