"""Printable documents: receipts (58/80 mm, A4) and stock documents (A4), with the record's
read permission and store scope (another store's document is not found)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db


def _order_of(app, store_code: str) -> dict:
    from app.org.models import Store
    from app.sales.models import Order

    with app.app_context():
        order = db.session.scalars(
            select(Order).join(Store, Store.id == Order.store_id).where(Store.code == store_code)
            .order_by(Order.id.desc())
        ).first()
        return {"id": order.id, "order_no": order.order_no, "paid_fen": order.paid_fen,
                "skus": [line.sku.sku_code for line in order.lines],
                "methods": [p.method for p in order.payments]}


@pytest.mark.parametrize("layout,width", [("58", "58mm auto"), ("80", "80mm auto"), ("a4", "A4")])
def test_receipt_layouts(app, client_as, layout, width):
    from app.formatting import yuan

    order = _order_of(app, "S001")
    response = client_as("manager1").get(f"/print/order/{order['id']}?layout={layout}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="receipt-order-no">{order["order_no"]}<' in html
    assert f'id="receipt-paid">{yuan(order["paid_fen"])}<' in html
    for sku in order["skus"]:
        assert sku in html
    assert f"@page {{ size: {width};" in html
    assert "@media print" in html and "data-print" in html and "print/print.js" in html


def test_receipt_shows_tenders_translated(app, client_as):
    order = _order_of(app, "S002")
    zh = client_as("hq")
    html = zh.get(f"/print/order/{order['id']}").get_data(as_text=True)
    labels = {"cash": "现金", "wechat": "微信支付", "alipay": "支付宝", "stored_value": "储值",
              "on_account": "挂账"}
    for method in order["methods"]:
        assert labels.get(method, method) in html


def test_a_store_cannot_print_another_stores_order(app, client_as):
    s002 = _order_of(app, "S002")
    s001 = _order_of(app, "S001")
    manager = client_as("manager1")  # S001
    response = manager.get(f"/print/order/{s002['id']}")
    assert response.status_code == 404
    assert s002["order_no"] not in response.get_data(as_text=True)
    assert client_as("cashier2").get(f"/print/order/{s001['id']}").status_code == 404
    assert client_as("cashier2").get(f"/print/order/{s002['id']}").status_code == 200
    assert client_as("hq").get(f"/print/order/{s002['id']}").status_code == 200
    assert manager.get("/print/order/999999999").status_code == 404


def test_printing_needs_the_records_read_permission(app, client_as):
    order = _order_of(app, "S001")
    response = client_as("guide1").get(f"/print/order/{order['id']}")  # guides do not read orders
    assert response.status_code == 403
    assert order["order_no"] not in response.get_data(as_text=True)
    anonymous = app.test_client().get(f"/print/order/{order['id']}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@pytest.fixture
def s002_stock_doc(app):
    from app.catalog.models import Sku
    from app.inventory.services import create_stock_doc
    from app.org.models import Store

    with app.app_context():
        store = db.session.query(Store).filter_by(code="S002").one()
        skus = db.session.scalars(select(Sku).where(Sku.sku_code.in_(["P1001-01", "P1002-02"]))).all()
        doc = create_stock_doc("inbound", "purchase", store.id, [(skus[0].id, 12), (skus[1].id, 30)],
                               note="print test")
        return {"id": doc.id, "doc_no": doc.doc_no}


def test_stock_document_prints_on_a4_in_its_store_only(app, client_as, s002_stock_doc):
    url = f"/print/stock-doc/{s002_stock_doc['id']}"
    response = client_as("cashier2").get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="doc-no">{s002_stock_doc["doc_no"]}<' in html
    assert "size: A4" in html and "P1001-01" in html and "P1002-02" in html
    assert '<th class="num">42</th>' in html  # total quantity
    assert "采购" in html  # the reason, translated
    with app.app_context():
        from app.org.models import Store

        store = db.session.query(Store).filter_by(code="S002").one()
        letterhead = f'<h1 class="store-name">{store.name}</h1>'
    assert letterhead in html  # the store's letterhead, as on the receipt
    receipt = client_as("cashier2").get(f"/print/order/{_order_of(app, 'S002')['id']}").get_data(as_text=True)
    assert letterhead in receipt
    assert client_as("manager1").get(url).status_code == 404
    assert client_as("hq").get(url).status_code == 200


def test_detail_pages_link_to_their_print_views(app, client_as, s002_stock_doc):
    order = _order_of(app, "S002")
    html = client_as("cashier2").get(f"/orderview/show/{order['id']}").get_data(as_text=True)
    for layout in ("58", "80", "a4"):
        assert f'href="/print/order/{order["id"]}?layout={layout}"' in html
    doc_page = client_as("cashier2").get(f"/stockdocview/show/{s002_stock_doc['id']}").get_data(as_text=True)
    assert f'href="/print/stock-doc/{s002_stock_doc["id"]}"' in doc_page
