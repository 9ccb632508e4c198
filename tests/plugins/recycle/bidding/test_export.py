"""Export of trade-ins (F3.14): mandatory and picked columns, only the filtered rows, CSV and
XLSX, role-scoped (store staff their store, a provider only its orders, the customer masked)."""

import csv
import io
import re
import zipfile

from tests.support.recycle_bidding import make_order, make_provider, open_bidding, unique


def _csv(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def _order_no(app, order_id):
    from app.extensions import db
    from plugins.recycle.models import RecycleOrder

    with app.app_context():
        return db.session.get(RecycleOrder, order_id).order_no


def test_hq_exports_the_filtered_rows_with_mandatory_and_picked_fields(app, client_as):
    brand = unique("Brand")
    quoted = make_order(app, state="quoted", quote_fen=123456, brand=brand, mode="self_operated")
    pending = make_order(app, brand=brand, mode="self_operated")
    elsewhere = make_order(app, state="quoted", quote_fen=100, brand=brand, store_code="S002",
                           mode="self_operated")
    client = client_as("hq")
    assert client.get("/recycle-export/").status_code == 200
    query = f"q={brand}&state=quoted&fields=customer_phone&fields=colour"
    rows = _csv(client.get(f"/recycle-export/download?{query}"))
    header, body = rows[0], rows[1:]
    assert header[:7] == ["回收单号", "创建时间", "门店", "模式", "状态", "品牌", "型号"]
    assert "串号" in header[7] and header[8] == "报价（元）"
    assert header[9:] == ["颜色", "顾客手机号"]
    numbers = [row[0] for row in body]
    assert sorted(numbers) == sorted([_order_no(app, quoted), _order_no(app, elsewhere)])
    assert _order_no(app, pending) not in numbers
    mine = next(row for row in body if row[0] == _order_no(app, quoted))
    assert mine[8] == "1234.56" and mine[10] == "13912345678"
    assert mine[4] == _label(app, "quoted", "recycle_state")
    only_s1 = _csv(client.get(f"/recycle-export/download?q={brand}&store_id={_store(app, 'S001')}"))
    assert sorted(row[0] for row in only_s1[1:]) == sorted([_order_no(app, quoted), _order_no(app, pending)])


def _label(app, code, kind):
    from app.formatting import code_label

    with app.test_request_context():  # the admin's default language
        return code_label(code, kind)


def _store(app, code):
    from tests.support.members import store_id

    return store_id(app, code)


def _xlsx_text(response) -> str:
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))


def test_xlsx_export_holds_the_same_rows(app, client_as):
    brand = unique("X")
    make_order(app, state="quoted", quote_fen=5000, brand=brand, model="=HYPERLINK(\"x\")")
    response = client_as("hq").get(f"/recycle-export/download?q={brand}&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        names = book.namelist()
        strings = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else ""
    assert brand in strings + sheet
    assert "<f>" not in sheet  # a formula-looking value stays text
    assert len(re.findall(r"<row ", sheet)) == 2  # the header and the one row


def test_store_staff_export_only_their_store(app, client_as):
    brand = unique("S")
    here = make_order(app, brand=brand)
    there = make_order(app, brand=brand, store_code="S002")
    numbers = [row[0] for row in _csv(client_as("manager1").get(f"/recycle-export/download?q={brand}"))[1:]]
    assert numbers == [_order_no(app, here)]
    assert _order_no(app, there) not in numbers


def test_a_provider_exports_only_its_orders_with_the_customer_masked(app, client_as):
    brand = unique("P")
    provider, other = make_provider(app), make_provider(app)
    assigned = make_order(app, mode="half_package", provider_id=provider["id"], brand=brand)
    others = make_order(app, mode="full_package", provider_id=other["id"], brand=brand)
    bidding = make_order(app, brand=brand)
    open_bidding(app, bidding)
    unopened = make_order(app, brand=brand)
    client = client_as(provider["username"])
    page = client.get("/recycle-export/").get_data(as_text=True)
    assert 'value="customer_phone"' in page and 'value="colour"' in page
    numbers = [row[0] for row in _csv(client.get(f"/recycle-export/download?q={brand}"))[1:]]
    assert sorted(numbers) == sorted([_order_no(app, assigned), _order_no(app, bidding)])
    assert _order_no(app, others) not in numbers and _order_no(app, unopened) not in numbers
    picked = f"/recycle-export/download?q={brand}&fields=customer_phone&fields=customer_name"
    rows = _csv(client.get(picked))
    assert [row[-2:] for row in rows[1:]] == [["张*", "139****5678"]] * 2
    book = _xlsx_text(client.get(picked + "&format=xlsx"))
    assert "139****5678" in book and "张*" in book
    assert "13912345678" not in book and "张三" not in book


def test_bad_filters_and_formats_are_refused(app, client_as):
    client = client_as("hq")
    for query in ("state=nope", "mode=x", "date_from=2026-13-01", "store_id=abc", "fields=password",
                  "format=pdf", "q=" + "x" * 41):
        response = client.get(f"/recycle-export/download?{query}")
        assert response.status_code == 422, query
        assert "has-error" in response.get_data(as_text=True), query
    assert client_as("cashier1").get("/recycle-export/download").status_code == 403
