"""Browser test of the guide's mobile workbench at a phone's width (375 px; Debian chromium +
Playwright): a guide logs in, finds a member, opens the 360 view, adds a visit record and a
tag, and claims an unclaimed member. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.support.browser import browser, expect, live_server, login, new_page, shot  # noqa: F401 (fixtures)
from tests.support.wecom_guide import guides_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}


def test_a_guide_works_with_members_on_a_phone(app, guides, new_page):  # noqa: F811
    from app.members.models import MemberTag

    guide = guides.guide("S001")
    mine = guides.member("S001", name="林小姐", owner=guide, paid_total_fen=128_800)
    pool = guides.member("S001", name="周先生")
    with app.app_context():
        tag = MemberTag(name="爱穿长裙")
        db.session.add(tag)
        db.session.commit()
    page = new_page(viewport=PHONE, locale="zh-CN")
    login(page, guide["username"])
    page.goto("/guide/")
    expect(page.locator("#tabs")).to_contain_text("我的会员")
    expect(page.locator(f'[data-member="{mine["id"]}"]')).to_be_visible()

    page.fill("#q", mine["phone"][-4:])
    page.click("#search button[type=submit]")
    card = page.locator(f'[data-member="{mine["id"]}"]')
    expect(card).to_contain_text("林小姐")
    shot(page, "wecom_guide_my_members_375")
    card.locator("div").first.click()
    expect(page.locator("#member-360")).to_contain_text("林小姐")
    expect(page.locator("#member-360")).to_contain_text("1288.00")
    expect(page.locator("#call")).to_have_attribute("href", f"tel:{mine['phone']}")

    page.select_option("#visit-method", "in_store")
    page.fill("#visit-note", "试了两条长裙")
    page.click("#add-visit")
    expect(page.locator("#visits .visit").first).to_contain_text("试了两条长裙")
    expect(page.locator("#visits .visit").first).to_contain_text("到店")
    page.locator("#tags button", has_text="爱穿长裙").click()
    expect(page.locator("#tags button.on", has_text="爱穿长裙")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at 375 px: {width}"
    shot(page, "wecom_guide_member_360_375")

    page.click("#back")
    page.click('#tabs button[data-tab="pool"]')
    page.fill("#q", pool["phone"])
    page.click("#search button[type=submit]")
    page.click(f'[data-claim="{pool["id"]}"]')
    expect(page.locator("#toast")).to_contain_text("认领成功")
    expect(page.locator(f'[data-claim="{pool["id"]}"]')).to_have_count(0)
    shot(page, "wecom_guide_pool_375")
    page.click('#tabs button[data-tab="mine"]')
    page.fill("#q", pool["phone"])
    page.click("#search button[type=submit]")
    expect(page.locator(f'[data-member="{pool["id"]}"]')).to_contain_text("周先生")
    page.click('#tabs button[data-tab="code"]')
    expect(page.locator("#no-qr")).to_contain_text("请联系管理员设置您的企业微信二维码")
    assert guides.owner(pool) == guide["staff_id"]
