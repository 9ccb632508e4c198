"""Browser test of the points reset (Debian chromium through Playwright): HQ fills the form, sees
the member count, confirms, and the reset's page shows it completed with its remark and rows.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.support.browser import browser, expect, live_server, login, new_page, shot  # noqa: F401 (fixtures)
from tests.support.points_reset import make_member

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(new_page):  # noqa: F811 - a Chinese browser at 1366 px
    return new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")


def test_hq_resets_a_level_from_the_form(app, page):
    from sqlalchemy import select

    from app.extensions import db
    from app.members.models import MemberLevel

    with app.app_context():
        level = db.session.scalars(select(MemberLevel).order_by(MemberLevel.threshold_fen.desc())).first()
        make_member("S001", 88, level_code=level.code)
        level_id, level_name = level.id, level.name
    login(page, "hq")
    page.goto("/pointsresetview/add")
    expect(page.locator("[data-scope=level]")).to_be_hidden()  # only the chosen scope's field shows
    page.fill("input[name=reason]", "年度积分清零")
    page.fill("textarea[name=remark]", "仅后台可见的备注")
    page.select_option("select[name=scope]", "level")
    expect(page.locator("[data-scope=level]")).to_be_visible()
    page.select_option("select[name=level_id]", str(level_id))
    shot(page, "points-reset-01-form-zh")
    with page.expect_navigation():
        page.click("button[type=submit]")
    expect(page.locator("#points-reset-summary")).to_contain_text("位会员")
    shot(page, "points-reset-02-confirm-zh")
    with page.expect_navigation():
        page.click("button.btn-danger")
    expect(page).to_have_url(re.compile(r"/pointsresetview/show/\d+"))
    expect(page.locator("body")).to_contain_text("已完成")
    expect(page.locator("body")).to_contain_text("仅后台可见的备注")
    expect(page.locator("body")).to_contain_text(level_name)
    expect(page.locator("#section-ledger")).to_contain_text("-88")
    shot(page, "points-reset-03-done-zh")
    page.goto("/pointsresetview/list/")
    expect(page.locator("table.table-hover").last).to_contain_text("年度积分清零")
    shot(page, "points-reset-04-list-zh")
