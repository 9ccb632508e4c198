"""Browser test (Debian chromium through Playwright): HQ makes a card batch with printed pay
codes in Chinese (the leak warning must be acknowledged, a refusal keeps the form), then finds
its cards with their balances and the export buttons. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.support.browser import browser, expect, live_server, login, new_page, shot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(new_page):  # noqa: F811 - a Chinese browser
    return new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")


def _submit(page) -> None:
    with page.expect_navigation():
        page.locator("form button[type=submit], form input[type=submit]").first.click()


def test_hq_makes_a_card_batch_with_printed_codes(app, page):
    prefix = f"E{secrets.token_hex(3).upper()}"
    login(page, "hq")
    page.goto("/cardbatchview/add")
    expect(page.locator("body")).to_contain_text("一旦泄露可能会有损失")
    page.fill("input[name=name]", "网页制卡")
    page.fill("input[name=count]", "12")
    page.fill("input[name=card_prefix]", prefix)
    page.fill("input[name=number_length]", "6")
    page.fill("input[name=start_value]", "1")
    page.fill("input[name=face_value_fen]", "88.80")
    page.select_option("select[name=code_kind]", "qr")
    shot(page, "payment_code-01-batch-form-zh")
    _submit(page)
    expect(page).to_have_url(re.compile(r"/cardbatchview/add"))  # not acknowledged: still the form
    expect(page.locator("body")).to_contain_text("请确认风险提示")
    expect(page.locator("input[name=card_prefix]")).to_have_value(prefix)
    shot(page, "payment_code-02-batch-refused-zh")
    page.check("input[name=leak_acknowledged]")
    _submit(page)
    expect(page).not_to_have_url(re.compile(r"/cardbatchview/add"))  # saved
    page.goto("/cardbatchview/list/")
    expect(page.locator("body")).to_contain_text("网页制卡")
    shot(page, "payment_code-03-batch-list-zh")
    page.goto(f"/cardview/list/?_flt_0_card_no={prefix}")
    expect(page.locator("body")).to_contain_text(f"{prefix}000001")
    expect(page.locator("body")).to_contain_text("88.80")
    expect(page.locator("body")).to_contain_text("正常使用")
    expect(page.locator("#export-xlsx")).to_be_visible()
    shot(page, "payment_code-04-card-list-zh")
