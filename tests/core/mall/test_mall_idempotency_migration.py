"""Members' Idempotency-Key records moved from the coupons plugin to the core mall: the
coupons migration carries the records over and back (own database: it migrates down)."""

import os
import uuid
from datetime import datetime

import pytest
from conftest import make_app
from sqlalchemy import create_engine, insert, inspect, make_url, text

from app import migrations
from app.extensions import db

RECORD = {"key": "k-1", "fingerprint": "f" * 64, "status_code": 201, "response": "{}",
          "created_on": datetime(2031, 1, 1)}


@pytest.fixture
def fresh_db_url(tmp_path):
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(pg)
    name = f"retail_migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
