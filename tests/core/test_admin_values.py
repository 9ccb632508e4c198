"""Readable values and forms that help, through the admin pages: money typed in 元 and stored
in fen, refused forms keeping their input with the error beside the field, codes shown as
labels, no None/False/[], times to the second in the store's time zone, readable audit details,
detail pages (order lines and payments, stocktake book vs counted)."""

from __future__ import annotations

import itertools
import re
from zoneinfo import ZoneInfo

import pytest
from members.member_test_helpers import new_phone

from app.extensions import db

_seq = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_seq):03d}{id(object()) % 100000:05d}"


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
    assert "alert-danger" in phone_row and ("已经存在" in phone_row or "已注册会员" in phone_row)
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
    """A paid S001 order of one SKU (2 × 50.00) paid 60.00 stored value + 40.00 cash."""
    from app.catalog.models import Product, Sku
    from app.inventory.services import move_stock
    from app.loyalty.services import change_stored_value
    from app.members.models import Member
    from app.org.models import Store

    with app.app_context():
        code = _unique("V")
        store = db.session.query(Store).filter_by(code="S001").one()
        product = Product(code=code, name=f"详情T恤 {code}")
        sku = Sku(product=product, sku_code=f"{code}-M", barcode=f"69{code}", spec="M", price_fen=5000)
        member = Member(member_no=_unique("MV"), phone=new_phone(), name="详情会员", home_store_id=store.id,
                        status="active")
        db.session.add_all([product, sku, member])
        db.session.flush()
        move_stock(store.id, sku.id, 10, "purchase_in", f"TEST-{code}")
        change_stored_value(member.id, 10000, "recharge", f"TEST-{code}", store.id)
        db.session.commit()
        ids = {"sku_code": sku.sku_code, "member_id": member.id, "member_no": member.member_no}
    body = {
        "member_id": ids["member_id"],
        "lines": [{"sku_code": ids["sku_code"], "qty": 2}],
        "payments": [{"method": "stored_value", "amount_fen": 6000}, {"method": "cash", "amount_fen": 4000}],
    }
    response = api_as("pos1").post("/api/v1/pos/orders", json=body)
    assert response.status_code in (200, 201), response.get_json()
    with app.app_context():
        from app.sales.models import Order

        order = db.session.query(Order).filter_by(member_id=ids["member_id"]).one()
        ids.update(order_id=order.id, order_no=order.order_no, created_on=order.created_on)
    return ids


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
