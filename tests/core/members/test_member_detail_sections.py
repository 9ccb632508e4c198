"""The member page is built from every enabled package's sections
(``retail_member_detail_sections``) in a stable order; document numbers link to the page of
the package that issued them (``retail_document_url``)."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.support.values import paid_sale


@pytest.fixture
def sale(app, api_as):
    return paid_sale(app, api_as)


def _section_keys(html: str) -> list[str]:
    return re.findall(r'class="panel panel-default detail-section" id="section-([\w-]+)"', html)


def _section(html: str, key: str) -> str:
    start = html.index(f'id="section-{key}"')
    end = html.find('class="panel panel-default detail-section"', start)
    return html[start:end if end != -1 else None]


def test_a_plugins_section_shows_the_member_as_the_viewer_sees_them(app, admin_client, sale):
    from app.members.models import Member

    with app.app_context():
        phone = db.session.get(Member, sale["member_id"]).phone
    html = admin_client.get(f"/memberview/show/{sale['member_id']}").get_data(as_text=True)
    stamps = _section(html, "sample-stamps")  # the test plugin's section
    assert "详情会员" in stamps and ">3<" in stamps
    assert phone[:3] + "****" + phone[-4:] in stamps  # the test plugin masks phones for everyone
    assert phone not in html


def test_a_disabled_plugins_section_is_gone_and_the_order_stays(app, admin_client, sale, restore_plugins):
    url = f"/memberview/show/{sale['member_id']}"
    keys = _section_keys(admin_client.get(url).get_data(as_text=True))
    assert keys == [
        "level-history", "stored-value", "stored-value-cards", "points", "coupons", "points-mall", "orders",
        "sample-stamps",
    ]
    with app.app_context():
        app.extensions["retail_plugins"].set_enabled("points_mall", False)  # depends on coupons: off first
        app.extensions["retail_plugins"].set_enabled("coupons", False)
    try:
        keys = _section_keys(admin_client.get(url).get_data(as_text=True))
        assert keys == [
            "level-history", "stored-value", "stored-value-cards", "points", "orders", "sample-stamps",
        ]
    finally:
        with app.app_context():
            app.extensions["retail_plugins"].set_enabled("coupons", True)
            app.extensions["retail_plugins"].set_enabled("points_mall", True)


def test_level_history_links_the_document_through_the_package_that_issued_it(app, admin_client, sale):
    from app.members.models import LevelChange

    with app.app_context():
        db.session.add(LevelChange(member_id=sale["member_id"], doc_no=sale["order_no"]))
        db.session.add(LevelChange(member_id=sale["member_id"], doc_no="LV-NOBODY-1"))
        db.session.commit()
    html = admin_client.get(f"/memberview/show/{sale['member_id']}").get_data(as_text=True)
    history = _section(html, "level-history")
    assert f'href="/orderview/show/{sale["order_id"]}"' in history
    assert "LV-NOBODY-1" in history and "LV-NOBODY-1</a>" not in history  # nobody issued it: text


def test_document_url_asks_each_enabled_package(app):
    from retail_test_plugin.models import SampleNote

    host = app.extensions["retail_plugins"]
    with app.test_request_context():
        note_id = db.session.query(SampleNote.id).first()[0]
        assert host.document_url(doc_no=f"NOTE-{note_id}") == f"/samplenoteview/show/{note_id}"
        assert host.document_url(doc_no="NO-SUCH-DOC") is None


def test_a_section_that_breaks_the_contract_is_refused(app):
    from app.hookspecs import DetailSection, hookimpl
    from app.plugins import PluginError

    class Broken:
        def __init__(self, result):
            self.result = result

        @hookimpl
        def retail_member_detail_sections(self, member):
            return self.result

    host = app.extensions["retail_plugins"]
    for result, message in (([("key", "title", "body")], "not a DetailSection"),
                            ([DetailSection("orders", "again", "")], "two member detail sections")):
        probe = Broken(result)
        host.pm.register(probe, name="broken_sections")
        host._subset_callers.clear()
        try:
            with app.test_request_context(), pytest.raises(PluginError, match=message):
                host.member_detail_sections(member=_any_member(), viewer=None,
                                           shown={"name": "N", "phone": "P"})
        finally:
            host.pm.unregister(probe)
            host._subset_callers.clear()


def _any_member():
    from app.members.models import Member

    return db.session.query(Member).first()
