"""Browser test: log in, switch the UI language, toggle a plugin on the plugins page.

Fixtures and helpers: ``tests/support/browser.py`` (Debian's chromium through Playwright,
screenshots in ``test-artifacts/``).
"""

# ruff: noqa: F811  (the fixtures imported from tests.support.browser are test arguments)
from __future__ import annotations

import re

import pytest

from tests.support.browser import browser, expect, live_server, new_page, page  # noqa: F401  (fixtures)
from tests.support.browser import login as _login
from tests.support.browser import shot as _shot
from tests.support.browser import sidebar as _navbar

pytestmark = pytest.mark.e2e


def _language_menu(page):
    """FAB's language dropdown in the navbar (the one whose items link to /lang/<code>)."""
    return page.locator("li.dropdown:has(a[href*='/lang/'])").first


def _switch_language_by_click(page, lang: str) -> None:
    page.locator("#retail-main").click(position={"x": 3, "y": 70})  # close open menus
    expect(page.locator("li.dropdown.open")).to_have_count(0)
    menu = _language_menu(page)
    menu.locator("a.dropdown-toggle").click()
    link = menu.locator(f"a[href$='/lang/{lang}']")
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()


def _plugin_row(page, name: str):
    return page.locator(f"#plugins tr[data-plugin='{name}']")


def _toggle_plugin(page, name: str) -> None:
    questions = []

    def accept(dialog):  # the toggle asks first (static/js/confirm.js)
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        _plugin_row(page, name).locator(".plugin-toggle").click()
    assert questions and "示例附加插件" in questions[0], questions
    expect(page).to_have_url(re.compile(r"/plugins/$"))


def test_login_language_switch_and_plugin_toggle(page, restore_plugins):
    _login(page, "admin")
    navbar = _navbar(page)

    # Chinese by default, even though the browser asks for English.
    expect(navbar).to_contain_text("系统")
    expect(navbar).not_to_contain_text("System")
    _shot(page, "01-home-zh")

    # To English by clicking English in the language menu (a link to /lang/en).
    _switch_language_by_click(page, "en")
    expect(navbar).to_contain_text("System")
    expect(navbar).not_to_contain_text("系统")
    navbar.get_by_text("System", exact=True).first.click()
    expect(navbar.get_by_role("link", name="Plugins")).to_be_visible()
    _shot(page, "02-home-en")

    # Back to Chinese by clicking 中文 in the language menu (a link to /lang/zh).
    _switch_language_by_click(page, "zh")
    expect(page).not_to_have_url(re.compile(r"/lang/"))
    expect(navbar).to_contain_text("系统")
    expect(navbar).not_to_contain_text("System")
    navbar.get_by_text("系统", exact=True).first.click()
    expect(navbar.get_by_role("link", name="插件")).to_be_visible()

    # Plugins page (Chinese).
    page.goto("/plugins/")
    expect(page.locator("#plugins")).to_be_visible()
    expect(page.locator("h2")).to_have_text("插件")
    addon = _plugin_row(page, "sample_addon")
    state = addon.locator(".plugin-state")
    expect(state).to_have_text("已启用")
    expect(_plugin_row(page, "sample").locator(".plugin-state")).to_have_text("已启用")
    _shot(page, "03-plugins-zh")

    # Disable the add-on.
    _toggle_plugin(page, "sample_addon")
    expect(state).to_have_text(re.compile("停用"))
    expect(addon.locator(".plugin-toggle")).to_have_text("启用")
    flash = page.locator(".alert-success")
    expect(flash).to_be_visible()
    expect(flash).to_contain_text("示例附加插件")
    expect(flash).to_contain_text("已停用")
    _shot(page, "04-addon-disabled-zh")

    # Enable it again.
    _toggle_plugin(page, "sample_addon")
    expect(state).to_have_text("已启用")
    expect(addon.locator(".plugin-toggle")).to_have_text("停用")
    expect(flash).to_be_visible()
    expect(flash).to_contain_text("示例附加插件")
    expect(flash).to_contain_text("已启用")
    _shot(page, "05-addon-enabled-zh")


def test_language_menu_offers_english_by_default(page):
    _login(page, "admin")
    expect(_navbar(page)).to_contain_text("系统")
    menu = _language_menu(page)
    menu.locator("a.dropdown-toggle").click()
    _shot(page, "06-language-menu-default")
    expect(menu.locator("a[href$='/lang/en']")).to_be_visible(timeout=2_000)
