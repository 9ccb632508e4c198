"""Browser tests of the admin frame: the sidebar at 1366 px and on a 375-px phone,
error pages inside the layout, the POS terminal's page, the jobs page refreshing itself.

Screenshots: ``test-artifacts/layout-*.png``.
"""

# ruff: noqa: F811  (the fixtures imported from tests.support.browser are test arguments)
from __future__ import annotations

import re

import pytest

from tests.support.browser import (  # noqa: F401  (fixtures)
    browser,
    expect,
    live_server,
    login,
    new_page,
    shot,
    sidebar,
)

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 740}


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] + box["width"] > 0 and box["x"] < page.viewport_size["width"]


def test_sidebar_at_1366(new_page):
    page = new_page(LAPTOP)
    login(page, "admin")
    menu = sidebar(page)
    expect(menu).to_be_visible()
    expect(page).to_have_title(re.compile("零售管理后台"))
    expect(page.locator(".retail-brand")).to_have_text("零售管理后台")
    # one group per domain, in working order; the top bar is one row (no wrapping menu)
    labels = menu.locator(".retail-group-toggle span").all_inner_texts()
    assert labels[:5] == ["销售", "会员", "储值卡", "优惠券", "积分商城"], labels
    assert labels[-2:] == ["系统", "用户权限"], labels
    assert page.locator(".retail-topbar").bounding_box()["height"] <= 60
    shot(page, "layout-1366-home")

    members = menu.locator(".retail-group[data-group='Members']")
    expect(members.locator(".retail-group-links")).to_be_hidden()
    members.locator(".retail-group-toggle").click()
    expect(members.locator(".retail-group-links")).to_be_visible()
    with page.expect_navigation():
        members.get_by_role("link", name="会员", exact=True).click()
    # the page's group is open and its link marked; breadcrumbs say where we are
    members = sidebar(page).locator(".retail-group[data-group='Members']")
    expect(members).to_have_class(re.compile(r"\bopen\b"))
    expect(members.locator(".retail-link.active")).to_have_text("会员")
    expect(page.locator("#retail-breadcrumbs")).to_have_text(re.compile(r"首页\s*/?\s*会员\s*/?\s*会员"))
    assert _page_width(page) <= LAPTOP["width"]
    shot(page, "layout-1366-members")

    # the toggle hides the sidebar and the page takes the width; it stays hidden on the next page
    content = page.locator(".retail-content")
    left = content.bounding_box()["x"]
    page.locator("#retail-sidebar-toggle").click()
    expect(page.locator("#retail-sidebar-toggle")).to_have_attribute("aria-expanded", "false")
    page.wait_for_timeout(300)  # slide-out transition
    assert not _in_view(page, sidebar(page))
    assert content.bounding_box()["x"] < left
    page.reload()
    assert not _in_view(page, sidebar(page))
    shot(page, "layout-1366-collapsed")
    page.locator("#retail-sidebar-toggle").click()
    page.wait_for_timeout(300)
    assert _in_view(page, sidebar(page))


def test_sidebar_on_a_phone(new_page):
    page = new_page(PHONE)
    login(page, "manager1")
    # the store the manager works in is in the top bar
    expect(page.locator("#retail-store")).to_contain_text("S001")
    menu = sidebar(page)
    assert not _in_view(page, menu)  # closed: the page gets the whole width
    assert _page_width(page) <= PHONE["width"]
    shot(page, "layout-375-home")

    page.locator("#retail-sidebar-toggle").click()
    page.wait_for_timeout(300)
    assert _in_view(page, menu)
    shot(page, "layout-375-menu-open")
    group = menu.locator(".retail-group[data-group='Sales']")
    group.locator(".retail-group-toggle").click()
    with page.expect_navigation():
        group.locator(".retail-group-links a").first.click()
    assert not _in_view(page, sidebar(page))
    expect(page.locator("#retail-breadcrumbs")).to_contain_text("销售")
    assert _page_width(page) <= PHONE["width"], "the list must scroll inside its box, not the page"
    shot(page, "layout-375-orders")

    # the backdrop closes an open menu
    page.locator("#retail-sidebar-toggle").click()
    page.wait_for_timeout(300)
    page.locator("#retail-backdrop").click(position={"x": 360, "y": 400})
    page.wait_for_timeout(300)
    assert not _in_view(page, sidebar(page))


def test_error_pages_inside_the_layout(new_page):
    page = new_page(LAPTOP)
    login(page, "manager1")
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(sidebar(page)).to_be_visible()
    error = page.locator("#retail-error")
    expect(error).to_contain_text("404")
    expect(error).to_contain_text("页面不存在")
    expect(page).to_have_title(re.compile("零售管理后台"))
    shot(page, "layout-404-zh")
    with page.expect_navigation():
        page.locator("#retail-error-home").click()
    expect(page).to_have_url(re.compile(r"/$"))

    # English too, with no Chinese left on the page's own text
    page.goto("/lang/en")
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.locator("#retail-error")).to_contain_text("Page not found")
    expect(page.locator("#retail-error-back")).to_contain_text("Go back")
    shot(page, "layout-404-en")


def test_pos_terminal_lands_on_a_page_that_says_what_it_is(new_page):
    page = new_page(LAPTOP)
    login(page, "pos1")
    home = page.locator("#retail-pos-home")
    expect(home).to_contain_text("POS 收银终端账号")
    expect(home).to_contain_text("S001")
    expect(home).to_contain_text("/api/v1/security/login")
    expect(sidebar(page).locator(".retail-group")).to_have_count(0)
    shot(page, "layout-pos1-home")
    docs = page.locator("#retail-pos-api-docs").get_attribute("href")
    assert page.request.get(docs).status == 200  # the terminal account may read the API docs


def test_jobs_page_refreshes_itself(new_page, app):
    from app.extensions import db
    from app.platform.models import Job

    with app.app_context():
        job = Job(name="coupons.generate", params={}, status="running", done=1, total=4)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    try:
        page = new_page(LAPTOP)
        login(page, "hq")
        page.goto("/jobview/list/")
        row = page.locator(f"tr:has(a[href$='/jobview/show/{job_id}'])")
        expect(row.locator(".progress-bar")).to_have_text("25%")
        with app.app_context():
            db.session.get(Job, job_id).done = 3
            db.session.commit()
        expect(row.locator(".progress-bar")).to_have_text("75%")  # redrawn, no navigation
        with app.app_context():
            finished = db.session.get(Job, job_id)
            finished.status, finished.done = "done", 4
            db.session.commit()
        expect(row.locator(".progress-bar")).to_have_text("100%")
        page.wait_for_load_state("load")
        shot(page, "layout-jobs")
    finally:
        with app.app_context():
            db.session.delete(db.session.get(Job, job_id))
            db.session.commit()
