"""Readable values and forms that help, through the admin pages: money typed in 元 and stored
in fen, refused forms keeping their input with the error beside the field, codes shown as
labels, no None/False/[], times to the second in the store's time zone, readable audit details,
detail pages (order lines and payments, stocktake book vs counted)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from tests.support.values import new_phone, paid_sale, sku_in_stock
from tests.support.values import unique as _unique


def field_row(html: str, name: str) -> str:
    """The form row (``<tr>…</tr>``) holding the input named ``name``."""
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if f'name="{name}"' in row:
            return row
    raise AssertionError(f"no form field {name!r} on the page")


def text_of(html: str) -> str:
    """The page's visible text, tags removed, spaces collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- money


def _level(app, code):
    from app.members.models import MemberLevel

    with app.app_context():
        level = db.session.query(MemberLevel).filter_by(code=code).one_or_none()
        return None if level is None else level.threshold_fen


def test_money_typed_in_yuan_is_stored_in_fen_and_shown_in_yuan(app, admin_client):
    code = _unique("Y")[:16]
    response = admin_client.post(
        "/memberlevelview/add", data={"code": code, "name": f"元级 {code}", "threshold_fen": "12.34"}
    )
    assert response.status_code == 302
    assert _level(app, code) == 1234
    listing = text_of(_page(admin_client, f"/memberlevelview/list/?_flt_0_code={code}"))
    assert "12.34" in listing and "1234" not in listing
    assert "升级门槛（元）" in listing


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("12.345", "最多两位小数"),
        ("12,3a", "请以元为单位输入金额"),
        ("-1", "金额不能小于 0.00 元"),
    ],
)
def test_bad_money_stays_on_the_form_with_the_error_beside_it(app, admin_client, typed, error):
    code = _unique("B")[:16]
    response = admin_client.post(
        "/memberlevelview/add", data={"code": code, "name": "坏金额", "threshold_fen": typed}
    )
    assert response.status_code == 200
    row = field_row(response.get_data(as_text=True), "threshold_fen")
    assert f'value="{typed}"' in row and error in row
    assert _level(app, code) is None


def test_money_error_in_english(admin_client):
    admin_client.get("/lang/en")
    try:
        response = admin_client.post(
            "/memberlevelview/add", data={"code": _unique("E")[:16], "name": "x", "threshold_fen": "1.001"}
        )
        row = field_row(response.get_data(as_text=True), "threshold_fen")
        assert "at most two decimals" in row
    finally:
        admin_client.get("/lang/zh")


# ---------------------------------------------------------------- refused forms keep their input


def _member_count(app, phone):
    from app.members.models import Member

    with app.app_context():
        return db.session.query(Member).filter_by(phone=phone).count()


def test_refused_member_form_keeps_input_with_the_error_beside_the_field(app, client_as):
    client = client_as("cashier1")
    typed = {"phone": "12345678901", "name": "王小明", "gender": "female"}
    response = client.post("/memberview/add", data=typed)
    assert response.status_code == 200  # stays on the form: no redirect to the list
    html = response.get_data(as_text=True)
    phone_row = field_row(html, "phone")
    assert 'value="12345678901"' in phone_row
    assert "请输入中国大陆手机号" in phone_row  # the service's message, beside the phone field
    assert 'value="王小明"' in field_row(html, "name")
    assert "请输入中国大陆手机号" not in field_row(html, "name")
    assert _member_count(app, "12345678901") == 0


def test_duplicate_phone_is_shown_beside_the_phone_and_nothing_is_written(app, client_as):
    from app.members.models import Member

    client = client_as("cashier1")
    phone = new_phone()
    first = client.post("/memberview/add", data={"phone": phone, "name": "甲", "gender": "male"})
    assert first.status_code == 302
    with app.app_context():
        before = db.session.query(Member).count()
    response = client.post("/memberview/add", data={"phone": phone, "name": "乙", "gender": "male"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    phone_row = field_row(html, "phone")
    assert "alert-danger" in phone_row and "已经存在" in phone_row, phone_row
    assert 'value="乙"' in field_row(html, "name")
    with app.app_context():
        assert db.session.query(Member).count() == before


def test_refused_edit_keeps_input_and_changes_nothing(app, admin_client):
    from app.members.models import Member

    phone = new_phone()
    admin_client.post("/memberview/add", data={"phone": phone, "name": "原名", "gender": "male"})
    with app.app_context():
        member_id = db.session.query(Member).filter_by(phone=phone).one().id
    too_long = "长" * 60
    response = admin_client.post(
        f"/memberview/edit/{member_id}", data={"name": too_long, "gender": "male", "status": "active"}
    )
    assert response.status_code == 200
    assert too_long in field_row(response.get_data(as_text=True), "name")
    with app.app_context():
        assert db.session.get(Member, member_id).name == "原名"


# ---------------------------------------------------------------- labels, empties, times, audit


@pytest.fixture
def sale(app, api_as):
    return paid_sale(app, api_as)


def test_order_list_shows_labels_and_yuan_not_codes(admin_client, sale):
    html = _page(admin_client, f"/orderview/list/?_flt_0_order_no={sale['order_no']}")
    text = text_of(html)
    assert sale["order_no"] in text
    assert "已支付" in text and not re.search(r"\bpaid\b", text)
    assert "100.00" in text and "10000" not in text
    assert "None" not in text and "False" not in text


def test_times_are_to_the_second_in_the_store_time_zone(admin_client, sale):
    html = text_of(_page(admin_client, f"/orderview/show/{sale['order_id']}"))
    shown = sale["created_on"].astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in html


def test_member_page_has_no_raw_empties(app, admin_client):
    from app.members.models import Member

    phone = new_phone()
    admin_client.post("/memberview/add", data={"phone": phone, "name": "空值会员", "gender": "unknown"})
    with app.app_context():
        member_id = db.session.query(Member).filter_by(phone=phone).one().id
    text = text_of(_page(admin_client, f"/memberview/show/{member_id}"))
    assert "空值会员" in text
    for raw in ("None", "__None", "False", "[]", "inactive", "unknown"):
        assert raw not in text, raw
    assert "未激活" in text and "未知" in text  # status and gender as labels
    for url in ("/memberview/add", "/couponruleview/add", "/stockdocview/add"):
        form = text_of(_page(admin_client, url))
        assert "__None" not in form and "None" not in form, url  # an empty choice reads "—"


def test_job_names_and_statuses_are_labels(app, admin_client):
    from app.platform.models import Job

    with app.app_context():
        job = Job(name="coupons.generate", params={}, status="queued")
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    text = text_of(_page(admin_client, f"/jobview/show/{job_id}"))
    assert "生成券" in text and "排队中" in text
    assert "coupons.generate" not in text and "queued" not in text


def test_audit_details_read_as_old_to_new(app, admin_client):
    from app.platform.models import AuditLog

    with app.app_context():
        row = AuditLog(username="admin", action="setting.change", object_type="setting",
                       object_id="core.time_zone", detail={"old": "Asia/Shanghai", "new": "UTC"})
        db.session.add(row)
        db.session.commit()
    text = text_of(_page(admin_client, "/auditlogview/list/?_flt_0_object_id=core.time_zone"))
    assert "Asia/Shanghai → UTC" in text
    assert "修改设置" in text
    assert "{'old'" not in text and "setting.change" not in text


def test_money_helpers_round_trip():
    from app.formatting import parse_yuan, yuan

    assert [parse_yuan(t) for t in ("12.34", "0.5", "7", "¥1,234.00", "-0.01")] == [1234, 50, 700, 123400, -1]
    assert [yuan(f) for f in (1234, 50, 0, -1, None)] == ["12.34", "0.50", "0.00", "-0.01", ""]
    for bad in ("1.234", "abc", "", "1e3", "12.3.4"):
        with pytest.raises(ValueError):
            parse_yuan(bad)


# ---------------------------------------------------------------- detail pages


def section(html: str, key: str) -> str:
    """The text of a detail page's section (``retail/show_detail.html``)."""
    start = html.find(f'id="section-{key}"')
    assert start != -1, f"no section {key!r} on the page"
    end = html.find('class="panel panel-default detail-section"', start)
    return text_of(html[start:end if end != -1 else None])


def test_order_detail_lists_lines_payments_points_and_member(admin_client, sale):
    html = _page(admin_client, f"/orderview/show/{sale['order_id']}")
    lines = section(html, "lines")
    assert sale["sku_code"] in lines and "详情T恤" in lines
    assert "50.00" in lines and "100.00" in lines  # price and amount in yuan
    payments = section(html, "payments")
    assert "储值" in payments and "60.00" in payments
    assert "现金" in payments and "40.00" in payments
    assert sale["member_no"] in section(html, "member")
    assert sale["order_no"] in section(html, "points")  # the points earned by the order
    assert "暂无" in section(html, "returns")


def test_member_detail_shows_ledgers_wallet_and_orders(admin_client, sale):
    html = _page(admin_client, f"/memberview/show/{sale['member_id']}")
    assert "40.00" in text_of(html)  # stored value left: 100.00 - 60.00
    assert sale["order_no"] in section(html, "orders")
    assert "-60.00" in section(html, "stored-value")
    for key in ("level-history", "points", "coupons"):
        section(html, key)
    # every package's sections, in their (order, key) order whichever package pluggy calls first
    keys = re.findall(r'class="panel panel-default detail-section" id="section-([\w-]+)"', html)
    assert keys == [
        "level-history", "stored-value", "stored-value-cards", "points", "coupons", "points-mall", "orders",
        "sample-stamps",
    ]


def _stock_doc(app, doc_no):
    from app.inventory.models import StockDoc

    with app.app_context():
        doc = db.session.query(StockDoc).filter_by(doc_no=doc_no).one()
        return {"id": doc.id, "status": doc.status}


def test_stocktake_shows_book_counted_and_difference(app, admin_client):
    from app.inventory.models import StockDoc

    sku = sku_in_stock(app, "盘点品", qty=10)
    store_id, sku_code = sku["store_id"], sku["sku_code"]
    with app.app_context():
        before = db.session.query(StockDoc).count()
    bad = admin_client.post("/stockdocview/add", data={
        "kind": "stocktake", "reason": "stocktake", "store": str(store_id), "note": "",
        "lines_text": f"{sku_code} 7\nNO-SUCH-SKU 1"})
    assert bad.status_code == 200  # refused: stays on the form, the lines typed kept
    row = field_row(bad.get_data(as_text=True), "lines_text")
    assert "NO-SUCH-SKU" in row and "第 2 行" in row
    with app.app_context():
        assert db.session.query(StockDoc).count() == before
    response = admin_client.post("/stockdocview/add", data={
        "kind": "stocktake", "reason": "stocktake", "store": str(store_id), "note": "",
        "lines_text": f"{sku_code} 7"})
    assert response.status_code == 302
    with app.app_context():
        doc = db.session.query(StockDoc).order_by(StockDoc.id.desc()).first()
        doc_id, doc_no = doc.id, doc.doc_no
    draft = _page(admin_client, f"/stockdocview/show/{doc_id}")
    lines = section(draft, "lines")
    assert re.search(rf"{sku_code} .*盘点品.* 10 7 -3", lines), lines
    assert "/action/post_doc/" in draft and "/action/receive_doc/" not in draft
    admin_client.post(f"/stockdocview/action/post_doc/{doc_id}")
    assert _stock_doc(app, doc_no)["status"] == "posted"
    posted = _page(admin_client, f"/stockdocview/show/{doc_id}")
    assert re.search(rf"{sku_code} .*盘点品.* 10 7 -3", section(posted, "lines"))
    assert "/action/post_doc/" not in posted and "/action/cancel_doc/" not in posted


def test_line_editor_lookup_finds_a_sku_by_code_or_barcode(app, admin_client, client_as, sale):
    found = admin_client.get(f"/stockdocview/sku_lookup?code={sale['sku_code']}")
    assert found.status_code == 200 and found.get_json()["sku_code"] == sale["sku_code"]
    by_barcode = admin_client.get(f"/stockdocview/sku_lookup?code=69{sale['sku_code'][:-2]}")
    assert by_barcode.status_code == 200 and by_barcode.get_json()["sku_code"] == sale["sku_code"]
    assert admin_client.get("/stockdocview/sku_lookup?code=NOPE").status_code == 404
    # the on-hand of the store asked about (10 bought, 2 sold); none without a store (HQ)
    in_store = admin_client.get("/stockdocview/sku_lookup",
                                query_string={"code": sale["sku_code"], "store_id": sale["store_id"]})
    assert in_store.get_json()["on_hand"] == 8 and found.get_json()["on_hand"] is None
    # the add page carries the grid editor and its hint
    page = _page(admin_client, "/stockdocview/add")
    assert "data-line-editor=" in page and "js/line_editor.js" in page and "Ctrl+Backspace" in page


def test_member_export_shows_status_labels(admin_client, sale):
    text = admin_client.get("/member-export/members.csv").get_data(as_text=True)
    assert sale["member_no"] in text
    assert "已激活" in text and ",active" not in text and ",inactive" not in text


def test_store_and_staff_codes_are_labels(admin_client):
    stores = text_of(_page(admin_client, "/storeview/list/"))
    assert "直营店" in stores and "营业中" in stores
    assert not re.search(r"\b(direct|franchise|active)\b", stores)
    staff = text_of(_page(admin_client, "/staffview/list/"))
    assert "在职" in staff
    assert not re.search(r"\b(active|left)\b", staff)
