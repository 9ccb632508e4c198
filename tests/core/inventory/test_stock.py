"""Inventory: the stock ledger, stock documents, store scope and concurrency."""

import threading
import uuid

import pytest
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db


def _uid() -> str:
    return uuid.uuid4().hex[:8].upper()


def _stores():
    from app.org.models import Store

    return {s.code: s.id for s in db.session.query(Store)}


def _new_sku(price_fen=500):
    from app.catalog.models import Product, Sku

    uid = _uid()
    product = Product(code=f"IP{uid}", name=f"Mug {uid}")
    sku = Sku(product=product, sku_code=f"IK{uid}", barcode=f"IB{uid}", spec="", price_fen=price_fen)
    db.session.add_all([product, sku])
    db.session.commit()
    return sku.id


def _qty(store_id, sku_id):
    from app.inventory.services import ledger_sum, on_hand

    db.session.expire_all()
    qty = on_hand(store_id, sku_id)
    assert qty == ledger_sum(store_id, sku_id)  # the balance always equals the ledger
    return qty


def _user(username):
    from flask_appbuilder.security.sqla.models import User

    return db.session.query(User).filter_by(username=username).one()


@pytest.fixture
def ctx(app_ctx):
    yield app_ctx
    db.session.rollback()


def test_inbound_outbound_and_stocktake(ctx):
    from app.inventory.services import create_stock_doc, post_stock_doc

    s1 = _stores()["S001"]
    a, b = _new_sku(), _new_sku()
    doc = create_stock_doc("inbound", "purchase", s1, [(a, 10), (b, 4)])
    assert doc.status == "draft" and doc.doc_no.startswith("IN") and _qty(s1, a) == 0
    post_stock_doc(doc)
    assert doc.status == "posted" and (_qty(s1, a), _qty(s1, b)) == (10, 4)
    out = post_stock_doc(create_stock_doc("outbound", "purchase_return", s1, [(a, 3)]))
    assert out.doc_no.startswith("OUT") and _qty(s1, a) == 7
    take = post_stock_doc(create_stock_doc("stocktake", None, s1, [(a, 9), (b, 0)]))
    assert take.doc_no.startswith("ST") and (_qty(s1, a), _qty(s1, b)) == (9, 0)
    from app.inventory.models import StockMove

    moves = db.session.scalars(select(StockMove).where(StockMove.sku_id == a).order_by(StockMove.id)).all()
    assert [(m.kind, m.qty, m.qty_after) for m in moves] == [
        ("purchase_in", 10, 10), ("purchase_return", -3, 7), ("stocktake", 2, 9)]
    assert [m.doc_no for m in moves] == [doc.doc_no, out.doc_no, take.doc_no]
    with pytest.raises(DomainError) as err:
        post_stock_doc(doc)  # posting twice
    assert err.value.code == "DOC_NOT_DRAFT" and _qty(s1, a) == 9


def test_transfer_creates_receiving_doc_at_other_store(ctx):
    from app.inventory.models import StockDoc
    from app.inventory.services import create_stock_doc, move_stock, post_stock_doc, receive_transfer

    stores = _stores()
    s1, s2 = stores["S001"], stores["S002"]
    sku = _new_sku()
    move_stock(s1, sku, 5, "other_in", "SEED")
    db.session.commit()
    with pytest.raises(DomainError) as err:
        create_stock_doc("transfer", "transfer", s1, [(sku, 2)])  # no receiving store
    assert err.value.code == "INVALID_OTHER_STORE"
    tr = post_stock_doc(create_stock_doc("transfer", "transfer", s1, [(sku, 2)], other_store_id=s2))
    assert tr.doc_no.startswith("TR") and _qty(s1, sku) == 3 and _qty(s2, sku) == 0
    incoming = db.session.scalars(select(StockDoc).where(StockDoc.source_doc_id == tr.id)).one()
    assert (incoming.kind, incoming.reason, incoming.status) == ("inbound", "transfer", "draft")
    assert incoming.store_id == s2
    with pytest.raises(DomainError) as err:
        receive_transfer(incoming, user=_user("cashier1"))  # S001 staff cannot receive at S002
    assert err.value.status == 404
    receive_transfer(incoming, user=_user("cashier2"))
    assert incoming.status == "received" and _qty(s2, sku) == 2
    db.session.refresh(tr)
    assert tr.status == "received"
    with pytest.raises(DomainError):
        receive_transfer(incoming)
    assert _qty(s2, sku) == 2


def test_outbound_beyond_stock_is_refused_and_writes_nothing(ctx):
    from app.inventory.models import StockMove
    from app.inventory.services import create_stock_doc, move_stock, post_stock_doc

    s1 = _stores()["S001"]
    a, b = _new_sku(), _new_sku()
    move_stock(s1, a, 5, "other_in", "SEED")
    move_stock(s1, b, 1, "other_in", "SEED")
    db.session.commit()
    doc = create_stock_doc("outbound", "other", s1, [(a, 2), (b, 2)])
    with pytest.raises(DomainError) as err:
        post_stock_doc(doc)
    assert err.value.code == "INSUFFICIENT_STOCK" and err.value.status == 409
    assert err.value.extra["sku_code"].startswith("IK")
    db.session.refresh(doc)
    assert doc.status == "draft" and (_qty(s1, a), _qty(s1, b)) == (5, 1)
    assert db.session.query(StockMove).filter_by(doc_no=doc.doc_no).count() == 0


def test_negative_stock_when_allowed(ctx):
    from app.inventory.services import move_stock
    from app.platform.settings import set_setting

    s1 = _stores()["S001"]
    sku = _new_sku()
    with pytest.raises(DomainError):
        move_stock(s1, sku, -1, "sale", "SO-X")
    db.session.rollback()
    set_setting("inventory.allow_negative_stock", True)
    try:
        after = move_stock(s1, sku, -2, "sale", "SO-Y")
        db.session.commit()
        assert after == -2 and _qty(s1, sku) == -2
    finally:
        set_setting("inventory.allow_negative_stock", False)


@pytest.mark.parametrize(
    "kind, reason, lines, note, code",
    [
        ("inbound", "purchase", [(None, -1)], "", "SKU_NOT_FOUND"),
        ("inbound", "purchase", [("SKU", 1)], "", "SKU_NOT_FOUND"),
        ("inbound", "purchase", [(0, 1)], "", "SKU_NOT_FOUND"),
        ("inbound", "purchase", [(True, 1)], "", "SKU_NOT_FOUND"),
        ("inbound", "purchase", [("OK", -1)], "", "INVALID_QTY"),
        ("inbound", "purchase", [("OK", 0)], "", "INVALID_QTY"),
        ("inbound", "purchase", [("OK", "5")], "", "INVALID_QTY"),
        ("inbound", "purchase", [("OK", 1.5)], "", "INVALID_QTY"),
        ("inbound", "purchase", [("OK", 10**12)], "", "INVALID_QTY"),
        ("inbound", "purchase", [("OK", 1), ("OK", 2)], "", "DUPLICATE_LINE"),
        ("inbound", "purchase", [], "", "NO_LINES"),
        ("inbound", "purchase", "nonsense", "", "NO_LINES"),
        ("inbound", "purchase_return", [("OK", 1)], "", "INVALID_REASON"),
        ("nothing", "purchase", [("OK", 1)], "", "INVALID_DOC_KIND"),
        ("inbound", "purchase", [("OK", 1)], "x" * 201, "INVALID_NOTE"),
        ("inbound", "purchase", [("OK", 1)], 5, "INVALID_NOTE"),
    ],
)
def test_bad_documents_are_refused(ctx, kind, reason, lines, note, code):
    from app.inventory.models import StockDoc
    from app.inventory.services import create_stock_doc

    sku = _new_sku()
    if isinstance(lines, list):
        lines = [(sku if s == "OK" else s, q) for s, q in lines]
    before = db.session.query(StockDoc).count()
    with pytest.raises(DomainError) as err:
        create_stock_doc(kind, reason, _stores()["S001"], lines, note=note)
    assert err.value.code == code and err.value.status == 422
    assert db.session.query(StockDoc).count() == before


def test_move_stock_refuses_bad_input(ctx):
    from app.inventory.services import move_stock

    s1 = _stores()["S001"]
    sku = _new_sku()
    for args in [(s1, sku, 0), (s1, sku, "1"), (s1, 10**9, 1), (10**9, sku, 1)]:
        with pytest.raises(DomainError):
            move_stock(*args, "other_in", "X")
    with pytest.raises(ValueError):
        move_stock(s1, sku, 1, "gift", "X")


def test_store_roles_act_only_on_their_store(ctx):
    from app.inventory.services import create_stock_doc, post_stock_doc

    stores = _stores()
    sku = _new_sku()
    with pytest.raises(DomainError) as err:
        create_stock_doc("inbound", "purchase", stores["S001"], [(sku, 1)], user=_user("cashier2"))
    assert err.value.status == 404
    doc = create_stock_doc("inbound", "purchase", stores["S001"], [(sku, 1)], user=_user("manager1"))
    with pytest.raises(DomainError) as err:
        post_stock_doc(doc, user=_user("cashier2"))
    assert err.value.status == 404 and _qty(stores["S001"], sku) == 0
    post_stock_doc(doc, user=_user("manager1"))
    assert _qty(stores["S001"], sku) == 1


# ---------------------------------------------------------------- over HTTP


def test_admin_stock_documents_over_http(app, client_as):
    from app.inventory.models import StockDoc

    with app.app_context():
        stores = _stores()
        sku = _new_sku()
        from app.catalog.models import Sku

        code = db.session.get(Sku, sku).sku_code
    manager = client_as("manager1")
    form = {"kind": "inbound", "reason": "purchase", "store": str(stores["S002"]), "note": "http",
            "lines_text": f"{code} 6"}
    refused = manager.post("/stockdocview/add", data=form)  # another store is not on offer
    assert refused.status_code == 200  # the form is shown again with an error
    response = manager.post("/stockdocview/add", data={**form, "store": str(stores["S001"])})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    with app.app_context():
        query = select(StockDoc).where(StockDoc.note == "http").order_by(StockDoc.id.desc())
        doc = db.session.scalars(query).first()
        assert doc.store_id == stores["S001"] and doc.status == "draft"
        doc_id = doc.id
    bad = manager.post("/stockdocview/add?_l_=en", data={
        "kind": "inbound", "reason": "purchase", "note": "bad", "lines_text": "NOPE-SKU 1",
        "store": str(stores["S001"])},
        follow_redirects=True)
    assert bad.status_code == 200 and "unknown SKU NOPE-SKU" in bad.get_data(as_text=True)
    cashier2 = client_as("cashier2")
    assert cashier2.get(f"/stockdocview/show/{doc_id}").status_code == 404
    cashier2.get(f"/stockdocview/action/post_doc/{doc_id}")
    with app.app_context():
        assert db.session.get(StockDoc, doc_id).status == "draft"
        assert _qty(stores["S001"], sku) == 0
    assert manager.get(f"/stockdocview/show/{doc_id}").status_code == 200
    assert manager.get(f"/stockdocview/action/post_doc/{doc_id}").status_code == 302
    with app.app_context():
        assert db.session.get(StockDoc, doc_id).status == "posted"
        assert _qty(stores["S001"], sku) == 6
    for path in ("/stockview/list/", "/stockmoveview/list/", "/alliancestockview/list/",
                 "/stockdocview/list/"):
        assert manager.get(path).status_code == 200, path
        assert cashier2.get(path).status_code == 200, path


# ---------------------------------------------------------------- concurrency


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_concurrent_sales_never_oversell(app, is_postgres):
    if not is_postgres:
        pytest.skip("real row-level concurrency needs PostgreSQL")
    from app.inventory.services import move_stock

    with app.app_context():
        s1 = _stores()["S001"]
        sku = _new_sku()
        move_stock(s1, sku, 5, "other_in", "SEED")
        db.session.commit()
    results = []
    barrier = threading.Barrier(20)

    def sell(n):
        with app.app_context():
            barrier.wait()
            try:
                move_stock(s1, sku, -1, "sale", f"SO-RACE-{n}")
                db.session.commit()
                results.append("ok")
            except DomainError as exc:
                db.session.rollback()
                results.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sell, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("ok") == 5
    assert results.count("INSUFFICIENT_STOCK") == 15
    with app.app_context():
        assert _qty(s1, sku) == 0
