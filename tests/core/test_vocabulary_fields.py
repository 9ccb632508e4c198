"""Vocabulary columns (``label_kinds``) are chosen in forms from a select of their labels, through
the admin pages: the store's kind and status are stored as codes, a forged code is refused with
the form kept, and the edit form preselects the stored value.  Stores made here are closed, so
the lists of open stores other tests check stay the demo ones."""

from __future__ import annotations

import re

from app.extensions import db
from tests.support.values import unique


def _store(app, code):
    from app.org.models import Store

    with app.app_context():
        store = db.session.query(Store).filter_by(code=code).one_or_none()
        return None if store is None else (store.id, store.kind, store.status)


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', html, flags=re.S)
    assert match, f"no select named {name!r} on the page"
    return match.group(0)


def _options(select_html: str) -> dict[str, tuple[str, bool]]:
    """``{value: (label, selected)}`` of a ``<select>``."""
    options = re.findall(r"<option([^>]*)>(.*?)</option>", select_html, flags=re.S)
    found = {}
    for attrs, label in options:
        value = re.search(r'value="([^"]*)"', attrs).group(1)
        found[value] = (label.strip(), "selected" in attrs)
    return found


def test_store_add_form_offers_the_kind_and_status_labels(admin_client):
    html = admin_client.get("/storeview/add").get_data(as_text=True)
    kinds = _options(_select(html, "kind"))
    assert kinds == {"direct": ("直营店", True), "franchise": ("加盟店", False)}  # column default: direct
    statuses = _options(_select(html, "status"))
    assert set(statuses) == {"active", "closed"} and statuses["active"] == ("营业中", True)


def test_store_added_with_a_kind_chosen_from_the_select_stores_the_code(app, admin_client):
    code = unique("K")[:16]
    response = admin_client.post(
        "/storeview/add", data={"code": code, "name": f"加盟 {code}", "kind": "franchise", "status": "closed",
              "phone": "010-1", "address": "路 1 号"}
    )
    assert response.status_code == 302
    store_id, kind, status = _store(app, code)
    assert (kind, status) == ("franchise", "closed")

    edit = admin_client.get(f"/storeview/edit/{store_id}").get_data(as_text=True)
    assert _options(_select(edit, "kind"))["franchise"] == ("加盟店", True)
    assert _options(_select(edit, "kind"))["direct"][1] is False
    assert _options(_select(edit, "status"))["closed"] == ("已关闭", True)


def test_a_forged_code_is_refused_the_form_kept_and_nothing_written(app, admin_client):
    code = unique("F")[:16]
    name = f"伪造 {code}"
    response = admin_client.post(
        "/storeview/add", data={"code": code, "name": name, "kind": "pirate", "status": "closed",
              "phone": "010-2", "address": "路 2 号"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "请从列表中选择" in html
    assert f'value="{code}"' in html and f'value="{name}"' in html
    assert _store(app, code) is None


def test_a_forged_code_on_edit_changes_nothing_and_reads_in_english(app, admin_client):
    code = unique("E")[:16]
    assert admin_client.post(
        "/storeview/add", data={"code": code, "name": f"改 {code}", "kind": "direct", "status": "closed",
              "phone": "010-3", "address": "路 3 号"}
    ).status_code == 302
    store_id = _store(app, code)[0]
    admin_client.get("/lang/en")
    try:
        response = admin_client.post(
            f"/storeview/edit/{store_id}",
            data={"code": code, "name": f"改 {code}", "kind": "pirate", "status": "closed",
                  "phone": "010-3", "address": "路 3 号"},
        )
        assert response.status_code == 200
        assert "Choose one of the listed values." in response.get_data(as_text=True)
    finally:
        admin_client.get("/lang/zh")
    assert _store(app, code)[1:] == ("direct", "closed")


def test_a_missing_code_of_a_required_column_is_refused(app, admin_client):
    html = admin_client.get("/storeview/add").get_data(as_text=True)
    assert "required" in _select(html, "kind")  # marked required, like the other required fields
    code = unique("M")[:16]
    response = admin_client.post(
        "/storeview/add", data={"code": code, "name": f"缺 {code}", "status": "closed",
                                "phone": "010-4", "address": "路 4 号"}
    )
    assert response.status_code == 200 and "请从列表中选择" in response.get_data(as_text=True)
    assert _store(app, code) is None
