"""Catalog: POS product lookup with caller-store stock, and the admin forms' errors."""

import uuid

import pytest

from app.extensions import db


def _uid() -> str:
    return uuid.uuid4().hex[:8].upper()


@pytest.fixture
def sku(app):
    """A fresh product + SKU with 7 on hand at S001 and 3 at S002."""
    from app.catalog.models import Product, Sku
    from app.inventory.services import move_stock
    from app.org.models import Store

    uid = _uid()
    with app.app_context():
        product = Product(code=f"P{uid}", name=f"Tea cup {uid}", year=2025)
        item = Sku(product=product, sku_code=f"K{uid}", barcode=f"69{uid}", spec="Red", price_fen=1990)
        db.session.add_all([product, item])
        db.session.flush()
        stores = {s.code: s.id for s in db.session.query(Store)}
        move_stock(stores["S001"], item.id, 7, "other_in", f"T{uid}")
        move_stock(stores["S002"], item.id, 3, "other_in", f"T{uid}")
        db.session.commit()
        return {"id": item.id, "uid": uid, "sku_code": item.sku_code, "barcode": item.barcode,
                "product_id": product.id}


def _one(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["count"] == 1, body
    return body["result"][0]


def test_lookup_by_barcode_with_callers_store_stock(api_as, sku):
    row = _one(api_as("pos1").get(f"/api/v1/pos/products?barcode={sku['barcode']}"))
    assert row["sku_code"] == sku["sku_code"]
    assert row["barcode"] == sku["barcode"]
    assert row["name"] == f"Tea cup {sku['uid']} Red"
    assert row["price_fen"] == 1990
    assert row["stock"] == 7
    assert _one(api_as("cashier2").get(f"/api/v1/pos/products?barcode={sku['barcode']}"))["stock"] == 3
    assert _one(api_as("admin").get(f"/api/v1/pos/products?barcode={sku['barcode']}"))["stock"] is None


def test_barcode_is_exact(api_as, sku):
    response = api_as("pos1").get(f"/api/v1/pos/products?barcode={sku['barcode'][:-1]}")
    assert response.get_json()["count"] == 0


@pytest.mark.parametrize("fragment", ["tea cup {uid}", "p{uid}", "k{uid}", "{uid}"])
def test_lookup_by_fragment(api_as, sku, fragment):
    row = _one(api_as("cashier1").get("/api/v1/pos/products", query_string={"q": fragment.format(**sku)}))
    assert row["sku_code"] == sku["sku_code"] and row["stock"] == 7


def test_like_wildcards_are_literal(api_as, sku):
    body = api_as("pos1").get("/api/v1/pos/products?q=%25").get_json()
    assert body["count"] == 0


@pytest.mark.parametrize(
    "query, code",
    [("", "QUERY_REQUIRED"), ("?q=", "VALIDATION_ERROR"), ("?q=" + "x" * 101, "VALIDATION_ERROR"),
     ("?barcode=" + "9" * 33, "VALIDATION_ERROR")],
)
def test_bad_queries_are_422(api_as, query, code):
    response = api_as("pos1").get("/api/v1/pos/products" + query)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code


def test_guide_has_no_pos_products(api_as):
    assert api_as("guide1").get("/api/v1/pos/products?q=x").status_code == 403


def test_pos_alliance_stock(api_as, sku):
    response = api_as("pos1").get(f"/api/v1/pos/stock?sku_code={sku['sku_code']}")
    assert response.status_code == 200
    by_store = {row["store_code"]: row for row in response.get_json()["result"]}
    assert by_store["S001"]["qty"] == 7 and by_store["S001"]["own"] is True
    assert by_store["S002"]["qty"] == 3 and by_store["S002"]["own"] is False
    assert by_store["S003"]["qty"] == 0
    missing = api_as("pos1").get("/api/v1/pos/stock?sku_code=NOPE-NOPE")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "SKU_NOT_FOUND"


# ---------------------------------------------------------------- admin forms


def _sku_count(app, **filters):
    from app.catalog.models import Sku

    with app.app_context():
        return db.session.query(Sku).filter_by(**filters).count()


def _add_sku(client, product_id, **fields):
    data = {"product": str(product_id), "sku_code": f"K{_uid()}", "barcode": "", "spec": "",
            "price_fen": "100", "active": "y", **fields}
    return client.post("/skuview/add", data=data, follow_redirects=True)


def test_hq_adds_sku_and_duplicates_are_form_errors(app, admin_client, sku):
    code = f"N{_uid()}"
    response = _add_sku(admin_client, sku["product_id"], sku_code=code)
    assert response.status_code == 200
    assert _sku_count(app, sku_code=code) == 1
    # two SKUs without a barcode do not collide
    assert _add_sku(admin_client, sku["product_id"]).status_code == 200
    for fields, message in [
        ({"sku_code": sku["sku_code"]}, "This SKU code is already used."),
        ({"barcode": sku["barcode"]}, "This barcode is already used by another SKU."),
        ({"price_fen": "-1"}, "The amount must be at least 0.00 yuan."),
        ({"price_fen": "abc"}, None),
        ({"sku_code": "x" * 40}, None),
    ]:
        response = admin_client.post("/skuview/add?_l_=en", data={
            "product": str(sku["product_id"]), "spec": "", "active": "y", "price_fen": "100",
            "barcode": "", "sku_code": f"D{_uid()}", **fields})
        assert response.status_code == 200, fields
        if message:
            assert message in response.get_data(as_text=True), fields
    assert _sku_count(app, sku_code=sku["sku_code"]) == 1
    assert _sku_count(app, sku_code="x" * 40) == 0


def test_duplicate_product_code_is_a_form_error(app, admin_client, sku):
    response = admin_client.post("/productview/add?_l_=en",
                                 data={"code": f"P{sku['uid']}", "name": "Dup", "year": "2024"})
    assert response.status_code == 200
    assert "This product code is already used." in response.get_data(as_text=True)


def test_store_roles_read_but_do_not_write_catalog(app, client_as, sku):
    cashier = client_as("cashier1")
    assert cashier.get("/skuview/list/").status_code == 200
    code = f"C{_uid()}"
    cashier.post("/skuview/add", data={"product": str(sku["product_id"]), "sku_code": code,
                                       "price_fen": "1", "spec": ""})
    assert _sku_count(app, sku_code=code) == 0
