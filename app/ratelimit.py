"""Flask-Limiter as Retail Admin uses it: FAB's limiter guards the login views
(``AUTH_RATE_LIMIT``), and bearer-token API calls skip it.

Without default limits (``RATELIMIT_DEFAULT``) the limiter has nothing to check on a POS or
mall call, yet its ``before_request`` hook would work out, on every one, which limits apply:
a measurable share of a POS member look-up.  Limits put on a view with ``@limiter.limit``
are checked by their decorator, not by that hook, so they still apply.
"""

from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter


def is_bearer_api_call() -> bool:
    """A token-carrying call of the REST API other than FAB's own security endpoints."""
    path = request.path
    return (path.startswith("/api/v1/") and not path.startswith("/api/v1/security/")
            and request.headers.get("Authorization", "").startswith("Bearer "))


class LoginLimiter(Limiter):
    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not current_app.config.get("RATELIMIT_DEFAULT") and is_bearer_api_call():
            return None
        return super()._check_request_limit(callable_name, in_middleware)
