"""A bulk list action (``app.admin_actions.run_bulk``) over stock documents: each row runs on
its own, a refusal names its row, the others go through and one message counts them."""

import uuid

from sqlalchemy import select

from app.extensions import db


def _draft(manager, store_id, code, note):
    from app.inventory.models import StockDoc

    form = {"kind": "inbound", "reason": "purchase", "store": str(store_id), "note": note,
            "lines_text": f"{code} 2"}
    assert manager.post("/stockdocview/add", data=form).status_code == 302
    return db.session.scalars(select(StockDoc).where(StockDoc.note == note)).one()


def test_posting_several_documents_refuses_one_and_posts_the_others(app, client_as):
    from app.catalog.models import Product, Sku
    from app.org.models import Store

    uid = uuid.uuid4().hex[:8].upper()
    manager = client_as("manager1")
    with app.app_context():
        store_id = db.session.scalars(select(Store.id).where(Store.code == "S001")).one()
        sku = Sku(product=Product(code=f"BP{uid}", name=f"Bulk {uid}"), sku_code=f"BK{uid}",
                  barcode=f"BB{uid}", spec="", price_fen=100)
        db.session.add(sku)
        db.session.commit()
        posted, first, second = (_draft(manager, store_id, sku.sku_code, f"bulk {uid} {n}") for n in range(3))
        numbers = {doc.id: doc.doc_no for doc in (posted, first, second)}
    assert manager.get(f"/stockdocview/action/post_doc/{posted.id}").status_code == 302
    with manager.session_transaction() as session:
        session.pop("_flashes", None)

    answer = manager.post("/stockdocview/action_post?_l_=en",
                          data={"action": "post_doc", "rowid": [posted.id, first.id, second.id]})
    assert answer.status_code == 302
    with manager.session_transaction() as session:
        flashes = session.get("_flashes", [])
    refusals = [message for category, message in flashes if category == "danger"]
    assert len(refusals) == 1 and refusals[0].startswith(f"{numbers[posted.id]}: ")
    assert [message for category, message in flashes if category == "info"] == ["Posted 2 document(s)."]
    with app.app_context():
        from app.inventory.models import StockDoc

        assert {db.session.get(StockDoc, i).status for i in numbers} == {"posted"}
