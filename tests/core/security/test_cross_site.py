"""Cross-site requests (issue 12 §4): JSON only as application/json, a CSRF token for API
writes made with the admin session cookie, SameSite=Lax, no framing, no sniffing."""

from __future__ import annotations

import re
import uuid

import pytest

from app.extensions import db
from app.members.models import Member
from tests.support.app import PASSWORD, make_app

MEMBERS = "/api/v1/pos/members"


@pytest.fixture(scope="module")
def csrf_app(app, seeded_db_url):
    """An app with CSRF protection on, as in production (the test app turns it off)."""
    worker = make_app(seeded_db_url, WTF_CSRF_ENABLED=True)
    yield worker
    with worker.app_context():
        db.engine.dispose()


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def _browser_login(worker, username):
    client = worker.test_client()
    token = _csrf_token(client.get("/login/").get_data(as_text=True))
    answer = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    return client, answer


def _new_phone() -> str:
    return "137" + str(uuid.uuid4().int)[:8]


def _member_count(app, phone) -> int:
    with app.app_context():
        return db.session.query(Member).filter_by(phone=phone).count()


def test_session_cookie_is_samesite_lax(csrf_app):
    _, answer = _browser_login(csrf_app, "cashier1")
    cookie = answer.headers.get("Set-Cookie", "")
    assert "session=" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_a_cross_site_post_with_the_session_cookie_is_refused(app, csrf_app):
    browser, _ = _browser_login(csrf_app, "cashier1")
    phone = _new_phone()
    # what another site's form can send: the cookie, a text/plain body, no token
    forged = browser.post(MEMBERS, data=f'{{"phone": "{phone}", "name": "x"}}', content_type="text/plain")
    assert forged.status_code == 415
    assert forged.get_json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    no_token = browser.post(MEMBERS, json={"phone": phone, "name": "x"})
    assert no_token.status_code == 403
    assert no_token.get_json()["error"]["code"] == "CSRF_FAILED"
    bad_token = browser.post(MEMBERS, json={"phone": phone, "name": "x"}, headers={"X-CSRFToken": "nope"})
    assert bad_token.get_json()["error"]["code"] == "CSRF_FAILED"
    assert _member_count(app, phone) == 0


def test_the_admins_own_page_may_write_with_its_csrf_token(app, csrf_app):
    browser, _ = _browser_login(csrf_app, "cashier1")
    token = _csrf_token(browser.get("/memberview/add").get_data(as_text=True))
    phone = _new_phone()
    answer = browser.post(MEMBERS, json={"phone": phone, "name": "同站"}, headers={"X-CSRFToken": token})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert _member_count(app, phone) == 1
    # reads need no token
    assert browser.get(f"{MEMBERS}?phone={phone}").status_code == 200


def test_a_bearer_token_call_needs_no_csrf_token(csrf_app):
    client = csrf_app.test_client()
    body = {"username": "pos1", "password": PASSWORD, "provider": "db"}
    login = client.post("/api/v1/security/login", json=body)
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    answer = client.post(MEMBERS, json={"phone": _new_phone(), "name": "令牌"}, headers=headers)
    assert answer.status_code == 201
    plain = client.post(MEMBERS, data='{"phone": "13700000000", "name": "x"}', content_type="text/plain",
                        headers=headers)
    assert plain.status_code == 415  # a JSON endpoint reads JSON only


@pytest.mark.parametrize("path", ["/login/", f"{MEMBERS}?phone=1", "/no-such-page", "/storeview/list/"])
def test_every_response_forbids_framing_and_sniffing(app, path):
    answer = app.test_client().get(path)
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_api_docs_page_sends_its_csrf_token(app, csrf_app):
    browser, _ = _browser_login(csrf_app, "cashier1")
    page = browser.get("/swagger/v1").get_data(as_text=True)
    assert "X-CSRFToken" in page
    token = re.search(r'const csrfToken = "([^"]+)"', page).group(1)
    phone = _new_phone()
    answer = browser.post(MEMBERS, json={"phone": phone, "name": "文档"}, headers={"X-CSRFToken": token})
    assert answer.status_code == 201
    assert _member_count(app, phone) == 1
