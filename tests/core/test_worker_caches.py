"""What a worker keeps between requests (``CALLER_CACHE_SECONDS``): the API caller with the
configuration version, and store snapshots for sales.  Changes made in the same worker apply
at once; changes made elsewhere apply within the time to live, never later.  The rest of the
suite runs with the caches off (``tests/conftest.py``).

The cached worker's clock is moved by hand (``FakeClock``): no test here sleeps or races the
time to live, so a loaded machine cannot make them flake."""

import pytest
from sqlalchemy import text

from app.extensions import db
from app.inventory.services import ALLOW_NEGATIVE
from app.platform.caches import CALLERS, CallerCache
from app.platform.settings import set_setting
from tests.support.app import make_app
from tests.support.clients import add_store_user, api_token, statements_of
from tests.support.sales import one_item_cash_sale

TTL = 1.5
JUST_BEFORE = TTL - 0.01


class FakeClock:
    """A monotonic clock that stands still until ``advance`` moves it."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def cached_app(app, db_url, clock):
    """A second worker of the same database with the caches on, reading ``clock``."""
    worker = make_app(db_url, CALLER_CACHE_SECONDS=TTL)
    worker.extensions[CALLERS] = CallerCache(clock=clock)
    yield worker
    with worker.app_context():
        db.session.remove()
        db.engine.dispose()


def _bearer(app, username):
    return {"Authorization": f"Bearer {api_token(app, username)}"}


def _set_active(app, user_id, active):
    with app.app_context():
        app.appbuilder.sm.get_user_by_id(user_id).active = active
        db.session.commit()


def test_a_deactivated_caller_is_refused_within_the_time_to_live(app, cached_app, clock):
    user_id = add_store_user(app, "cache_pos")
    client, headers = cached_app.test_client(), _bearer(cached_app, "cache_pos")
    path = "/api/v1/pos/products?q=P1001"
    assert client.get(path, headers=headers).status_code == 200
    _set_active(app, user_id, False)  # by another worker (the admin)
    try:
        clock.advance(JUST_BEFORE)
        assert client.get(path, headers=headers).status_code == 200  # the cached caller
        clock.advance(TTL - JUST_BEFORE)
        assert client.get(path, headers=headers).status_code == 401
    finally:
        _set_active(app, user_id, True)


@pytest.mark.own_database  # counts its statements: the test transaction's savepoints would add to them
def test_a_cached_caller_costs_no_statement(app, cached_app):
    client, headers = cached_app.test_client(), _bearer(cached_app, "pos1")
    path = "/api/v1/pos/members?phone=13900000001"
    assert client.get(path, headers=headers).status_code == 200
    answer, seen = statements_of(cached_app, lambda: client.get(path, headers=headers))
    assert answer.status_code == 200 and answer.get_json()["count"] == 1
    assert len(seen) == 1 and "members_member" in seen[0], seen  # only the look-up itself


@pytest.mark.own_database  # counts its statements: the test transaction's savepoints would add to them
def test_a_cached_sale_takes_no_more_statements_than_the_bare_baseline(app, cached_app, is_postgres):
    """SKUs, number, order, lines, payments, stock, move: bench/bare_sale_app.py's seven.  On
    PostgreSQL everything after the SKUs is one statement: two in all."""
    client, headers = cached_app.test_client(), _bearer(cached_app, "pos1")
    body = one_item_cash_sale(app)
    assert client.post("/api/v1/pos/orders", json=body, headers=headers).status_code == 201
    answer, seen = statements_of(cached_app, lambda: client.post("/api/v1/pos/orders", json=body,
                                                                headers=headers))
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["result"]["store"] == "S001"
    assert len(seen) <= (2 if is_postgres else 7), "\n".join(s[:100] for s in seen)


def _stock_of_sale_sku(app, qty=None):
    from app.catalog.models import Sku
    from app.inventory.models import Stock
    from app.org.models import Store

    with app.app_context():
        sku_id = db.session.query(Sku).filter_by(sku_code="P1001-03").one().id
        store_id = db.session.query(Store).filter_by(code="S001").one().id
        stock = db.session.get(Stock, (store_id, sku_id))
        before = stock.qty
        if qty is not None:
            db.session.execute(
                text("UPDATE inventory_stock SET qty = :q WHERE store_id = :s AND sku_id = :k"),
                {"q": qty, "s": store_id, "k": sku_id},
            )
            db.session.commit()
        return before


def test_a_setting_changed_in_this_worker_applies_at_once_and_elsewhere_within_the_ttl(
    app, cached_app, clock
):
    client, headers = cached_app.test_client(), _bearer(cached_app, "pos1")
    body = one_item_cash_sale(app)
    saved = _stock_of_sale_sku(app, qty=0)
    try:
        assert client.post("/api/v1/pos/orders", json=body, headers=headers).status_code == 409
        with cached_app.app_context():  # this worker changes it: no waiting
            set_setting(ALLOW_NEGATIVE, True)
        assert client.post("/api/v1/pos/orders", json=body, headers=headers).status_code == 201

        with app.app_context():  # another worker turns it off again
            set_setting(ALLOW_NEGATIVE, False)
        clock.advance(JUST_BEFORE)
        assert client.post("/api/v1/pos/orders", json=body, headers=headers).status_code == 201
        clock.advance(TTL - JUST_BEFORE)
        assert client.post("/api/v1/pos/orders", json=body, headers=headers).status_code == 409
    finally:
        with app.app_context():
            set_setting(ALLOW_NEGATIVE, False)
        _stock_of_sale_sku(app, qty=saved)


def test_a_renamed_store_code_reaches_order_numbers_within_the_ttl(app, cached_app, clock):
    from app.org.models import Store

    client, headers = cached_app.test_client(), _bearer(cached_app, "pos1")
    body = one_item_cash_sale(app)

    def sell():
        return client.post("/api/v1/pos/orders", json=body, headers=headers).get_json()["result"]

    assert sell()["store"] == "S001"
    with app.app_context():
        db.session.query(Store).filter_by(code="S001").one().code = "S001X"
        db.session.commit()
    try:
        clock.advance(JUST_BEFORE)
        assert sell()["store"] == "S001"  # the snapshot of the cached configuration version
        clock.advance(TTL - JUST_BEFORE)
        sold = sell()
        assert sold["store"] == "S001X" and "S001X" in sold["order_no"]
    finally:
        with app.app_context():
            db.session.query(Store).filter_by(code="S001X").one().code = "S001"
            db.session.commit()


def test_levels_and_stores_edited_in_the_admin_show_at_the_next_pos_look_up(app, api_as, admin_client):
    """Level names and store codes on member answers come from worker caches; an admin
    edit bumps the configuration version, so the next request reads them again."""
    from app.members.models import Member, MemberLevel
    from app.org.models import Store

    pos = api_as("pos1")
    path = "/api/v1/pos/members?phone=13900000001"
    before = pos.get(path).get_json()["result"][0]
    with app.app_context():
        member = db.session.query(Member).filter_by(phone="13900000001").one()
        level = db.session.get(MemberLevel, member.level_id)
        store = db.session.get(Store, member.home_store_id)
        level_form = {"code": level.code, "name": level.name, "threshold_fen": level.threshold_fen}
        store_form = {"code": store.code, "name": store.name, "kind": store.kind, "status": store.status,
                      "phone": store.phone, "address": store.address}
        level_id, store_id = level.id, store.id
    assert (before["level"], before["home_store"]) == (level_form["name"], store_form["code"])

    def edit(view, pk, form):
        answer = admin_client.post(f"/{view}/edit/{pk}", data=form)
        assert answer.status_code == 302, answer.get_data(as_text=True)[:500]

    try:
        edit("memberlevelview", level_id, {**level_form, "name": "钻石会员X"})
        edit("storeview", store_id, {**store_form, "code": "S001Y"})
        after = pos.get(path).get_json()["result"][0]
        assert (after["level"], after["home_store"]) == ("钻石会员X", "S001Y")
    finally:
        edit("memberlevelview", level_id, level_form)
        edit("storeview", store_id, store_form)
    assert pos.get(path).get_json()["result"][0]["home_store"] == store_form["code"]
