"""Shared helpers of the members and loyalty tests."""

import random

from app.extensions import db

_used: set[str] = set()


def new_phone() -> str:
    while True:
        phone = "1" + random.choice("3456789") + "".join(random.choices("0123456789", k=9))
        if phone not in _used:
            _used.add(phone)
            return phone


def error_code(response):
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]["code"]


def count(app, model, **filters) -> int:
    with app.app_context():
        return db.session.query(model).filter_by(**filters).count()


def store_id(app, code) -> int:
    from app.org.models import Store

    with app.app_context():
        return db.session.query(Store).filter_by(code=code).one().id
