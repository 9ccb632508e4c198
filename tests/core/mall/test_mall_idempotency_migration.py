"""Members' Idempotency-Key records moved from the coupons plugin to the core mall: the
coupons migration carries the records over and back (own database: it migrates down)."""

from datetime import datetime

import pytest
from sqlalchemy import insert, inspect, text

from app import migrations
from app.extensions import db
from tests.support.app import make_app
from tests.support.databases import drop_database, new_database_url

RECORD = {"key": "k-1", "fingerprint": "f" * 64, "status_code": 201, "response": "{}",
          "created_on": datetime(2031, 1, 1)}


@pytest.fixture
def fresh_db_url():
    url = new_database_url()
    yield url
    drop_database(url)


def _records(table: str) -> list[tuple]:
    rows = db.session.execute(text(f"SELECT member_id, key, fingerprint, status_code, response FROM {table}"))
    records = [tuple(row) for row in rows]
    db.session.rollback()  # a migration run next must not wait for this reader
    return records


def test_coupons_records_move_to_the_mall_and_back(fresh_db_url):
    from app.members.models import Member

    app = make_app(fresh_db_url)
    with app.app_context():
        try:
            migrations.upgrade("coupons_0001")
            member_id = db.session.execute(
                insert(Member.__table__).values(member_no="M-MIG-1", phone="13900000001").returning(Member.id)
            ).scalar_one()
            db.session.execute(text(
                "INSERT INTO coupons_mall_idempotency (member_id, key, fingerprint, status_code, response,"
                " created_on) VALUES (:member_id, :key, :fingerprint, :status_code, :response, :created_on)"
            ), {**RECORD, "member_id": member_id})
            db.session.commit()
            expected = [(member_id, "k-1", "f" * 64, 201, "{}")]

            migrations.upgrade("heads")
            assert "coupons_mall_idempotency" not in inspect(db.engine).get_table_names()
            assert _records("mall_idempotency") == expected

            migrations.downgrade("coupons_0001")
            assert _records("coupons_mall_idempotency") == expected

            migrations.upgrade("heads")  # and up again: no record twice
            assert _records("mall_idempotency") == expected
        finally:
            db.session.remove()
            db.engine.dispose()
