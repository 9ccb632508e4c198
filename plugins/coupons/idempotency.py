"""``Idempotency-Key`` for mall POSTs (claim, purchase, transfer, bind): the member's key.

Same contract as ``app.api.idempotent`` for staff: the record is added before the view
runs, so the service's commit stores it with the effect; a retry with the same key
replays the first answer and changes nothing; a failed request leaves nothing behind.
"""

from __future__ import annotations

import functools
import hashlib

from flask import Response, current_app, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.api import ApiError
from app.extensions import db
from plugins.coupons.models import MallIdempotency


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path):
        digest.update(part.encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _answer(record: MallIdempotency, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise ApiError(
            "IDEMPOTENCY_KEY_REUSED", _l("This Idempotency-Key was used for a different request."), 422
        )
    if record.response is None:
        raise ApiError(
            "IDEMPOTENCY_IN_PROGRESS",
            _l("The first request with this Idempotency-Key is still being processed."),
            409,
        )
    response = Response(record.response, status=record.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _find(member_id: int, key: str) -> MallIdempotency | None:
    return db.session.query(MallIdempotency).filter_by(member_id=member_id, key=key).first()


def member_idempotent(view):
    """Decorate a mall POST after ``@member_required``."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > 100:
            raise ApiError("IDEMPOTENCY_KEY_INVALID", _l("The Idempotency-Key is too long."), 400)
        member_id = g.member.id
        fingerprint = _fingerprint()
        existing = _find(member_id, key)
        if existing is not None:
            return _answer(existing, fingerprint)
        record = MallIdempotency(member_id=member_id, key=key, fingerprint=fingerprint)
        db.session.add(record)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except IntegrityError:
            db.session.rollback()
            existing = _find(member_id, key)
            if existing is None:
                raise
            return _answer(existing, fingerprint)
        except Exception:
            db.session.rollback()
            raise
        if response.status_code >= 400:
            db.session.rollback()
            return response
        record.status_code = response.status_code
        record.response = response.get_data(as_text=True)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return _answer(_find(member_id, key), fingerprint)
        return response

    return wrapper
