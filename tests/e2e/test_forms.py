"""Browser tests of forms that help and readable values (Debian chromium through Playwright, as
tests/e2e/test_browser.py): a refused member form keeps its input, money typed as 12.34 元 is
stored as 1234 fen, an order's detail lists its lines and payments, the stock document line
editor works from the keyboard, the coupon rule form shows only the fields of its type.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.support.browser import browser, expect, live_server, login, new_page, shot  # noqa: F401 (fixtures)
from tests.support.values import paid_sale, sku_in_stock, unique

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(new_page):  # noqa: F811 - a Chinese browser at 1366 px
    return new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")




def _row(page, field: str):
    """The form row holding the input named ``field``."""
    return page.locator("tr", has=page.locator(f"[name='{field}']"))


def _submit(page) -> None:
    with page.expect_navigation():
        page.locator("form button[type=submit], form input[type=submit]").first.click()


def test_refused_member_form_keeps_its_input(app, page):
    login(page, "cashier1")
    page.goto("/memberview/add")
    page.fill("input[name=phone]", "12345678901")
    page.fill("input[name=name]", "王小明")
    _submit(page)
    expect(page).to_have_url(re.compile(r"/memberview/add"))  # still the form, not the list
    expect(page.locator("input[name=phone]")).to_have_value("12345678901")
    expect(page.locator("input[name=name]")).to_have_value("王小明")
    expect(_row(page, "phone").locator(".alert-danger")).to_contain_text("请输入中国大陆手机号")
    expect(_row(page, "name").locator(".alert-danger")).to_have_count(0)
    shot(page, "forms-01-member-refused-zh")


def test_money_typed_in_yuan_is_stored_in_fen(app, page):
    from app.members.models import MemberLevel

    code = unique("W")[:16]
    login(page, "admin")
    page.goto("/memberlevelview/add")
    expect(_row(page, "threshold_fen")).to_contain_text("升级门槛（元）")
    page.fill("input[name=code]", code)
    page.fill("input[name=name]", f"网页级 {code}")
    page.fill("input[name=threshold_fen]", "12.345")
    _submit(page)
    expect(_row(page, "threshold_fen").locator(".alert-danger")).to_contain_text("最多两位小数")
    expect(page.locator("input[name=threshold_fen]")).to_have_value("12.345")
    shot(page, "forms-02-money-refused-zh")
    page.fill("input[name=threshold_fen]", "12.34")
    _submit(page)
    expect(page.locator(".alert-success")).to_be_visible()  # saved: back where the user came from
    with app.app_context():
        assert db.session.query(MemberLevel).filter_by(code=code).one().threshold_fen == 1234
    page.goto(f"/memberlevelview/list/?_flt_0_code={code}")
    expect(page.locator("table.table-hover:not(.filters)")).to_contain_text("12.34")
    shot(page, "forms-03-money-list-zh")


def test_order_detail_lists_lines_and_payments(app, api_as, page):
    sale = paid_sale(app, api_as)
    login(page, "admin")
    page.goto(f"/orderview/show/{sale['order_id']}")
    lines = page.locator("#section-lines")
    expect(lines).to_contain_text(sale["sku_code"])
    expect(lines).to_contain_text("100.00")
    payments = page.locator("#section-payments")
    expect(payments).to_contain_text("储值")
    expect(payments).to_contain_text("60.00")
    expect(payments).to_contain_text("现金")
    expect(payments).to_contain_text("40.00")
    expect(page.locator("#section-member")).to_contain_text(sale["member_no"])
    expect(page.locator("body")).not_to_contain_text("None")
    shot(page, "forms-04-order-detail-zh")
    page.locator("#section-member a").click()
    expect(page.locator("#section-orders")).to_contain_text(sale["order_no"])
    shot(page, "forms-05-member-detail-zh")


def test_line_editor_from_the_keyboard(app, page):
    from app.inventory.models import StockDoc

    first = sku_in_stock(app, "键盘一", qty=5)
    second = sku_in_stock(app, "键盘二", qty=8)
    login(page, "admin")
    page.goto("/stockdocview/add")
    grid = page.locator("table.line-editor")
    expect(grid).to_be_visible()
    expect(page.locator("textarea[name=lines_text]")).to_be_hidden()
    expect(_row(page, "lines_text")).to_contain_text("Ctrl+Backspace")  # the hint shows
    page.select_option("select[name=kind]", "inbound")
    page.select_option("select[name=reason]", "purchase")
    page.select_option("select[name=store]", str(first["store_id"]))

    codes = grid.locator("[data-cell=code]")
    qtys = grid.locator("[data-cell=qty]")
    codes.nth(0).click()
    page.keyboard.type(first["sku_code"])
    page.keyboard.press("Enter")  # look up, then to the quantity
    expect(grid.locator("[data-cell=name]").nth(0)).to_contain_text("键盘一")
    expect(grid.locator("[data-cell=on_hand]").nth(0)).to_have_text("5")
    expect(qtys.nth(0)).to_be_focused()
    page.keyboard.type("3")
    page.keyboard.press("Enter")  # a new line
    expect(codes.nth(1)).to_be_focused()
    page.keyboard.type("NO-SUCH")
    page.keyboard.press("Enter")
    expect(grid.locator("tr.danger")).to_have_count(1)
    page.keyboard.press("Control+Backspace")  # clears the current line
    expect(codes.nth(1)).to_have_value("")
    expect(grid.locator("tr.danger")).to_have_count(0)
    page.keyboard.type(second["barcode"])  # by barcode
    page.keyboard.press("Enter")
    expect(codes.nth(1)).to_have_value(second["sku_code"])
    page.keyboard.type("4")
    page.keyboard.press("ArrowUp")
    expect(qtys.nth(0)).to_be_focused()
    expect(page.locator("textarea[name=lines_text]")).to_have_value(
        f"{first['sku_code']} 3\n{second['sku_code']} 4"
    )
    shot(page, "forms-06-line-editor-zh")
    _submit(page)
    expect(page.locator(".alert-success")).to_be_visible()
    with app.app_context():
        doc = db.session.query(StockDoc).order_by(StockDoc.id.desc()).first()
        assert sorted((line.sku_id, line.qty) for line in doc.lines) == sorted(
            [(first["sku_id"], 3), (second["sku_id"], 4)]
        )
        doc_id = doc.id
    page.goto(f"/stockdocview/show/{doc_id}")
    expect(page.locator("#section-lines")).to_contain_text("键盘二")
    shot(page, "forms-07-stock-doc-detail-zh")


def test_coupon_rule_form_shows_the_fields_of_its_type(page):
    login(page, "hq")
    page.goto("/couponruleview/add")
    face_value = _row(page, "face_value_fen")
    discount = _row(page, "discount_rate")
    expect(face_value).to_be_visible()  # cash voucher by default
    expect(discount).to_be_hidden()
    page.locator("select[name=offer_type]").select_option("discount")
    page.locator("select[name=offer_type]").dispatch_event("change")
    expect(discount).to_be_visible()
    expect(face_value).to_be_hidden()
    shot(page, "forms-08-coupon-rule-discount-zh")


def test_plugin_toggle_asks_first(page, restore_plugins):
    login(page, "admin")
    page.goto("/plugins/")
    row = page.locator("#plugins tr[data-plugin='sample_addon']")
    expect(row.locator(".plugin-state")).to_have_text("已启用")
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    row.locator(".plugin-toggle").click()
    expect(row.locator(".plugin-state")).to_have_text("已启用")  # said no: nothing changed
    assert questions and "停用插件" in questions[0] and "数据" in questions[0], questions


def test_store_kind_is_chosen_from_its_labels(app, page):
    from app.org.models import Store

    code = unique("B")[:16]
    login(page, "admin")
    page.goto("/storeview/add")
    kind = page.locator("select[name=kind]")
    expect(kind.locator("option")).to_have_text(["直营店", "加盟店"])
    expect(kind).to_have_value("direct")  # the column's default
    expect(page.locator("select[name=status]")).to_have_value("active")
    page.fill("input[name=code]", code)
    page.fill("input[name=name]", f"网页门店 {code}")
    page.fill("input[name=phone]", "010-12345678")
    page.fill("input[name=address]", "测试路 1 号")
    _row(page, "kind").locator(".select2-container").click()
    page.locator(".select2-results li", has_text="加盟店").click()
    expect(kind).to_have_value("franchise")
    expect(_row(page, "kind")).to_contain_text("加盟店")
    # closed: the lists of open stores other tests check stay the demo ones
    page.select_option("select[name=status]", "closed")
    shot(page, "forms-09-store-add-kind-zh")
    _submit(page)
    expect(page.locator(".alert-success")).to_be_visible()
    with app.app_context():
        store = db.session.query(Store).filter_by(code=code).one()
        assert (store.kind, store.status) == ("franchise", "closed")
        store_id = store.id
    page.goto(f"/storeview/edit/{store_id}")
    expect(page.locator("select[name=kind]")).to_have_value("franchise")
    expect(_row(page, "kind")).to_contain_text("加盟店")
    shot(page, "forms-10-store-edit-kind-zh")
