"""The POS hot path's shortcuts keep their promises: the API caller is read fresh on every
request, settings cached per worker follow a change made by another worker, a sale is
booked in a fixed number of statements, and a connection the database dropped costs one
clean 503, not a 500."""

import pytest
from sqlalchemy import event, text

from app.extensions import db
from app.inventory.services import ALLOW_NEGATIVE
from app.platform.settings import get_setting, set_setting
from tests.support.app import make_app
from tests.support.clients import add_store_user, api_token, statements_of
from tests.support.sales import one_item_cash_sale


def test_deactivating_a_user_stops_its_token_at_the_next_request(app):
    user_id = add_store_user(app, "hotpath_pos")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(app, 'hotpath_pos')}"}
    assert client.get("/api/v1/pos/products?q=P1001", headers=headers).status_code == 200
    with app.app_context():
        user = app.appbuilder.sm.get_user_by_id(user_id)
        user.active = False
        db.session.commit()
    assert client.get("/api/v1/pos/products?q=P1001", headers=headers).status_code == 401
    with app.app_context():
        app.appbuilder.sm.get_user_by_id(user_id).active = True
        db.session.commit()


def test_a_role_change_applies_at_the_next_request(app):
    user_id = add_store_user(app, "hotpath_role")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(app, 'hotpath_role')}"}
    assert client.get("/api/v1/pos/products?q=P1001", headers=headers).status_code == 200
    with app.app_context():
        sm = app.appbuilder.sm
        sm.get_user_by_id(user_id).roles = [sm.find_role("Guide")]
        db.session.commit()
    assert client.get("/api/v1/pos/products?q=P1001", headers=headers).status_code == 403
    with app.app_context():
        sm = app.appbuilder.sm
        sm.get_user_by_id(user_id).roles = [sm.find_role("POS")]
        db.session.commit()


def test_a_setting_changed_by_another_worker_applies_at_the_next_request(app, db_url, api_as):
    other_worker = make_app(db_url)
    pos = api_as("pos1")
    body = one_item_cash_sale(app)
    with app.app_context():
        from app.catalog.models import Sku
        from app.inventory.models import Stock
        from app.org.models import Store

        sku_id = db.session.query(Sku).filter_by(sku_code="P1001-03").one().id
        store_id = db.session.query(Store).filter_by(code="S001").one().id
        stock = db.session.get(Stock, (store_id, sku_id))
        saved_qty = stock.qty
        stock.qty = 0
        db.session.commit()
    try:
        assert pos.post("/api/v1/pos/orders", json=body).status_code == 409  # caches "not allowed"
        with other_worker.app_context():
            set_setting(ALLOW_NEGATIVE, True)
        assert pos.post("/api/v1/pos/orders", json=body).status_code == 201
        with app.app_context():
            assert get_setting(ALLOW_NEGATIVE) is True
    finally:
        with other_worker.app_context():
            set_setting(ALLOW_NEGATIVE, False)
            db.session.remove()
            db.engine.dispose()
        with app.app_context():
            db.session.execute(
                text("UPDATE inventory_stock SET qty = :q WHERE store_id = :s AND sku_id = :k"),
                {"q": saved_qty, "s": store_id, "k": sku_id},
            )
            db.session.commit()


@pytest.mark.own_database  # counts its statements: the test transaction's savepoints would add to them
def test_a_sale_takes_at_most_the_bare_baselines_statements_plus_the_caller(app, api_as, is_postgres):
    """Caller (the caches are off in tests), then SKUs, number, order, lines, payments, stock,
    move: bench/bare_sale_app.py's seven.  On PostgreSQL everything after the SKUs is one."""
    pos = api_as("pos1")
    body = one_item_cash_sale(app)
    assert pos.post("/api/v1/pos/orders", json=body).status_code == 201
    answer, statements = statements_of(app, lambda: pos.post("/api/v1/pos/orders", json=body))
    assert answer.status_code == 201
    assert len(statements) <= (3 if is_postgres else 8), "\n".join(s[:100] for s in statements)


@pytest.mark.own_database  # kills database connections
def test_a_dropped_database_connection_costs_one_clean_retry(app, api_as, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL to terminate server connections")
    pos = api_as("pos1")
    assert pos.get("/api/v1/pos/products?q=P1001").status_code == 200
    with app.app_context():
        dbname = db.engine.url.database
    killer = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    with killer.app_context():
        with db.engine.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = :d AND pid <> pg_backend_pid()"),
                {"d": dbname},
            )
            conn.commit()
        db.engine.dispose()
    answers = [pos.get("/api/v1/pos/products?q=P1001") for _ in range(3)]
    codes = [a.status_code for a in answers]
    assert codes[0] == 503 and codes[-1] == 200, codes  # the dead pooled connection, then renewed
    for answer in answers:
        if answer.status_code == 503:
            assert answer.get_json()["error"]["code"] == "SERVER_BUSY"


def test_a_remembered_token_still_expires_and_a_forged_one_is_not_taken_for_it(app):
    import time
    from datetime import timedelta

    from flask_jwt_extended import create_access_token

    user_id = add_store_user(app, "hotpath_token")
    with app.test_request_context():
        token = create_access_token(identity=str(user_id), fresh=True, expires_delta=timedelta(seconds=2))
    client = app.test_client()
    path = "/api/v1/pos/products?q=P1001"
    for _ in range(2):
        assert client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    manager = app.appbuilder.sm.jwt_manager
    remembered = manager._verified
    assert any(key[0] == token for key in remembered)  # the second request did not verify it again
    assert manager.verified_headers(token) == {"alg": "HS256", "typ": "JWT"}

    header, payload, signature = token.split(".")
    forged_claims = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    for forged in (f"{header}.{payload}.{signature[:-2]}xx", f"{header}.{forged_claims}.{signature}"):
        answer = client.get(path, headers={"Authorization": f"Bearer {forged}"})
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] == "UNAUTHORIZED"

    assert manager.verified_headers(forged) is None
    time.sleep(2.1)
    answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert not any(key[0] == token for key in remembered)


def _autocommit_flags(app, call):
    """Whether each statement ``call()`` sends runs on an autocommit (transaction-less) connection."""
    with app.app_context():
        engine = db.engine
    flags = []

    def record(conn, cursor, statement, params, context, executemany):
        flags.append(conn.connection.dbapi_connection.autocommit)

    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return flags


@pytest.mark.own_database  # autocommit: outside any transaction
def test_read_only_endpoints_skip_the_transaction_round_trips(app, api_as, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite has no round trips to save")
    pos = api_as("pos1")
    body = one_item_cash_sale(app)
    looked_up = _autocommit_flags(app, lambda: pos.get("/api/v1/pos/members?phone=13900000001"))
    assert looked_up and all(looked_up)
    sold = _autocommit_flags(app, lambda: pos.post("/api/v1/pos/orders", json=body))
    assert sold and not any(sold)  # a sale is one transaction
    looked_up = _autocommit_flags(app, lambda: pos.get("/api/v1/pos/products?q=P1001"))
    assert looked_up and all(looked_up)  # the pooled connection came back in transaction mode


def test_a_read_only_request_that_writes_is_refused(app):
    from flask import g

    from app.messages.models import Message

    with app.test_request_context("/api/v1/pos/members"):
        g.retail_read_only = True
        db.session.add(Message(user_id=1, title="x", body="x"))
        with pytest.raises(RuntimeError, match="read_only"):
            db.session.flush()
        db.session.rollback()


def test_a_browser_session_may_call_the_api_and_a_token_takes_precedence(app, client_as):
    """The API docs page calls the API with the admin session; a bearer token, when sent,
    decides who calls (and is refused on its own merits)."""
    manager = client_as("manager1")
    assert manager.get("/api/v1/pos/products?q=P1001").status_code == 200
    assert client_as("guide1").get("/api/v1/pos/orders/NOPE").status_code == 403
    answer = manager.get("/api/v1/pos/products?q=P1001", headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401
    guide_token = api_token(app, "guide1")
    answer = manager.get("/api/v1/pos/orders/NOPE", headers={"Authorization": f"Bearer {guide_token}"})
    assert answer.status_code == 403  # the guide's token, not the manager's session


def test_bearer_api_calls_skip_the_login_limiter_unless_default_limits_are_set(app, db_url):
    path = "/api/v1/pos/members?phone=13900000001"
    plain = make_app(db_url, AUTH_RATE_LIMIT="2 per minute")
    headers = {"Authorization": f"Bearer {api_token(app, 'pos1')}"}
    assert [plain.test_client().get(path, headers=headers).status_code for _ in range(4)] == [200] * 4
    limited = make_app(db_url, RATELIMIT_DEFAULT="2 per minute")
    codes = [limited.test_client().get(path, headers=headers).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    for worker in (plain, limited):
        with worker.app_context():
            db.engine.dispose()
