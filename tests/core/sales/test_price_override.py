"""Price overrides at the POS: selling below the list price beyond the configured limit needs
the ``can_override_price`` grant (store managers, HQ) or a store manager's approval on the till,
and every line records its list price, its sold price and who approved it."""

import itertools
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.support.app import PASSWORD
from tests.support.clients import add_store_user

_seq = itertools.count(1)
LIMIT = "sales.price_override_max_percent"


@pytest.fixture
def sku(app):
    """A SKU listed at 100.00 yuan with 100 in stock at S001; returns its code."""
    from app.catalog.models import Product, Sku
    from app.inventory.services import move_stock
    from app.org.models import Store

    with app.app_context():
        code = f"PO{next(_seq):03d}{id(object()) % 100000:05d}"
        product = Product(code=code, name=f"改价测试 {code}")
        row = Sku(product=product, sku_code=f"{code}-M", spec="M", price_fen=10000)
        db.session.add_all([product, row])
        db.session.flush()
        store = db.session.query(Store).filter_by(code="S001").one()
        move_stock(store.id, row.id, 100, "purchase_in", f"TEST-{code}")
        db.session.commit()
        return row.sku_code


@contextmanager
def limit_percent(app, value):
    from app.platform.settings import set_setting

    with app.app_context():
        set_setting(LIMIT, value)
    try:
        yield
    finally:
        with app.app_context():
            set_setting(LIMIT, 0)


def _sale(client, sku_code, paid, approval=None, **line):
    body = {"lines": [{"sku_code": sku_code, "qty": 1, **line}],
            "payments": [{"method": "cash", "amount_fen": paid}]}
    if approval is not None:
        body["approval"] = approval
    return client.post("/api/v1/pos/orders", json=body)


def _written(app, sku_code):
    """(orders with this SKU, on-hand at S001)."""
    from app.catalog.models import Sku
    from app.inventory.models import Stock
    from app.org.models import Store
    from app.sales.models import OrderLine

    with app.app_context():
        sku_id = db.session.scalar(select(Sku.id).where(Sku.sku_code == sku_code))
        store_id = db.session.scalar(select(Store.id).where(Store.code == "S001"))
        lines = db.session.scalar(select(func.count(OrderLine.id)).where(OrderLine.sku_id == sku_id))
        on_hand = db.session.scalar(
            select(Stock.qty).where(Stock.sku_id == sku_id, Stock.store_id == store_id)
        )
        return lines, on_hand


def _user_id(app, username):
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).id


def _refused(response, code):
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"]["code"] == code


def test_a_cashier_cannot_sell_below_list_without_approval(app, api_as, sku):
    pos = api_as("pos1")
    before = _written(app, sku)
    _refused(_sale(pos, sku, 0, price_fen=0), "PRICE_OVERRIDE_NOT_ALLOWED")
    _refused(_sale(pos, sku, 9900, price_fen=9900), "PRICE_OVERRIDE_NOT_ALLOWED")
    _refused(_sale(pos, sku, 9000, discount_fen=1000), "PRICE_OVERRIDE_NOT_ALLOWED")
    order_discount = pos.post("/api/v1/pos/orders", json={
        "lines": [{"sku_code": sku, "qty": 1}], "discount_fen": 500,
        "payments": [{"method": "cash", "amount_fen": 9500}]})
    _refused(order_discount, "PRICE_OVERRIDE_NOT_ALLOWED")
    _refused(api_as("cashier1").post("/api/v1/pos/orders", json={
        "lines": [{"sku_code": sku, "qty": 1, "price_fen": 1}],
        "payments": [{"method": "cash", "amount_fen": 1}]}), "PRICE_OVERRIDE_NOT_ALLOWED")
    assert _written(app, sku) == before  # nothing written: no line, no stock move
    zh = pos.post("/api/v1/pos/orders", headers={"Accept-Language": "zh"}, json={
        "lines": [{"sku_code": sku, "qty": 1, "price_fen": 0}],
        "payments": [{"method": "cash", "amount_fen": 0}]})
    assert "店长" in zh.get_json()["error"]["message"]


def test_at_list_price_the_line_records_it_and_no_approver(app, api_as, sku):
    sold = _sale(api_as("pos1"), sku, 10000)
    assert sold.status_code == 201, sold.get_json()
    line = sold.get_json()["result"]["lines"][0]
    assert (line["list_price_fen"], line["price_fen"], line["approved_by_fk"]) == (10000, 10000, None)


def test_within_the_configured_limit_no_approval_is_needed(app, api_as, sku):
    pos = api_as("pos1")
    with limit_percent(app, 10):
        within = _sale(pos, sku, 9000, price_fen=9000)
        assert within.status_code == 201, within.get_json()
        line = within.get_json()["result"]["lines"][0]
        assert (line["list_price_fen"], line["price_fen"], line["approved_by_fk"]) == (10000, 9000, None)
        _refused(_sale(pos, sku, 8999, price_fen=8999), "PRICE_OVERRIDE_NOT_ALLOWED")
        _refused(_sale(pos, sku, 8900, price_fen=9500, discount_fen=600), "PRICE_OVERRIDE_NOT_ALLOWED")


def test_a_store_manager_approves_on_the_till_and_is_recorded(app, api_as, sku):
    approval = {"username": "manager1", "password": PASSWORD}
    sold = _sale(api_as("pos1"), sku, 0, approval=approval, price_fen=0)
    assert sold.status_code == 201, sold.get_json()
    order_no = sold.get_json()["result"]["order_no"]
    manager_id = _user_id(app, "manager1")
    from app.sales.models import Order, OrderLine

    with app.app_context():
        line = db.session.scalars(select(OrderLine).join(Order).where(Order.order_no == order_no)).one()
        assert (line.list_price_fen, line.price_fen, line.amount_fen, line.approved_by_fk) == (
            10000, 0, 0, manager_id)


def test_a_bad_or_unauthorised_approval_is_refused(app, api_as, sku):
    pos = api_as("pos1")
    before = _written(app, sku)
    add_store_user(app, "manager_s002", role="StoreManager", store_code="S002")
    for approval in (
        {"username": "manager1", "password": "wrong-password"},
        {"username": "nobody-here", "password": PASSWORD},
        {"username": "cashier1", "password": PASSWORD},  # no grant
        {"username": "manager_s002", "password": PASSWORD},  # another store's manager
    ):
        _refused(_sale(pos, sku, 5000, approval=approval, price_fen=5000), "PRICE_APPROVAL_INVALID")
    bad = _sale(pos, sku, 5000, approval={"username": "manager1"}, price_fen=5000)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "VALIDATION_ERROR"
    assert _written(app, sku) == before


def test_a_store_manager_selling_holds_the_grant(app, api_as, sku):
    sold = _sale(api_as("manager1"), sku, 5000, price_fen=5000)
    assert sold.status_code == 201, sold.get_json()
    assert sold.get_json()["result"]["lines"][0]["approved_by_fk"] == _user_id(app, "manager1")


def test_approval_attempts_count_against_the_login_limit(app, api_as, sku):
    pos = api_as("pos1")
    wrong = {"username": "manager1", "password": "guess"}
    before = app.config["AUTH_RATE_LIMIT"]
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"  # its own counters: other tests are not affected
    try:
        answers = [_sale(pos, sku, 5000, approval=wrong, price_fen=5000) for _ in range(4)]
    finally:
        app.config["AUTH_RATE_LIMIT"] = before
    codes = [a.get_json()["error"]["code"] for a in answers]
    assert codes == ["PRICE_APPROVAL_INVALID"] * 3 + ["RATE_LIMITED"]
    assert answers[-1].status_code == 429
