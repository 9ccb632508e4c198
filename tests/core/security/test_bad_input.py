"""Bad input (issue 12 §5): deep JSON, NUL characters, oversized bodies, spreadsheet formulas
in CSV exports, names of spaces only — each a clear 4xx (or a neutral cell), never a 500 and
never stored as is."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

import pytest

from app.extensions import db
from app.members.models import Member
from app.org.models import Store

ROOT = Path(__file__).resolve().parents[3]
MEMBERS = "/api/v1/pos/members"


def _store_form(code, name, kind="direct"):
    return {"code": code, "name": name, "kind": kind, "status": "active", "phone": "021-1", "address": "x"}


def _new_phone() -> str:
    return "136" + str(uuid.uuid4().int)[:8]


def _error(answer, status):
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    return answer.get_json()["error"]


# ---------------------------------------------------------------- nesting


@pytest.mark.parametrize("depth", [5000, 40])
def test_deeply_nested_json_is_a_400(api_as, depth):
    body = "[" * depth + "]" * depth
    answer = api_as("pos1").post(MEMBERS, data=body, content_type="application/json")
    assert _error(answer, 400)["code"] == "JSON_TOO_DEEP"


def test_deeply_nested_json_login_is_a_400(app):
    body = '{"username": ' + "[" * 5000 + "]" * 5000 + "}"
    answer = app.test_client().post("/api/v1/security/login", data=body, content_type="application/json")
    assert _error(answer, 400)["code"] == "JSON_TOO_DEEP"


# ---------------------------------------------------------------- NUL characters


def test_nul_in_api_json_is_refused_and_nothing_stored(app, api_as):
    phone = _new_phone()
    answer = api_as("pos1").post(MEMBERS, json={"phone": phone, "name": "a\x00b"},
                                 headers={"Accept-Language": "en"})
    assert _error(answer, 400) == {"code": "NUL_CHARACTER", "message": "Text may not contain NUL characters."}
    with app.app_context():
        assert db.session.query(Member).filter_by(phone=phone).count() == 0


def test_nul_in_a_json_key_is_refused(api_as):
    answer = api_as("pos1").post(MEMBERS, json={"pho\x00ne": "1", "name": "x"})
    assert _error(answer, 400)["code"] == "NUL_CHARACTER"


def test_nul_in_api_login_is_a_400(app):
    answer = app.test_client().post("/api/v1/security/login",
                                    json={"username": "admin\x00", "password": "x", "provider": "db"},
                                    headers={"Accept-Language": "zh"})
    assert _error(answer, 400) == {"code": "NUL_CHARACTER", "message": "文本不能包含 NUL 字符。"}


def test_nul_in_html_login_is_a_400(app):
    client = app.test_client()
    answer = client.post("/login/", data={"username": "admin\x00", "password": "x"})
    assert answer.status_code == 400
    assert client.post("/login/", data={"username": "admin", "password": "pass\x00"}).status_code == 400


@pytest.mark.parametrize("url", [
    "/memberview/list/?_flt_0_name=%00",
    "/memberview/list/?_flt_0_name=a%00b",
    "/storeview/list/?_flt_0_code%00=x",
])
def test_nul_in_admin_list_filters_is_a_400(admin_client, url):
    assert admin_client.get(url).status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/pos/orders/SO%00", "/api/v1/pos/members?phone=%00"])
def test_nul_in_api_path_or_query_is_a_400(api_as, path):
    assert _error(api_as("pos1").get(path), 400)["code"] == "NUL_CHARACTER"


def test_nul_in_a_header_is_a_400(api_as):
    answer = api_as("pos1").post(MEMBERS, json={"phone": _new_phone(), "name": "x"},
                                 headers={"Idempotency-Key": "k\x00"})
    assert _error(answer, 400)["code"] == "NUL_CHARACTER"


def test_nul_in_an_admin_form_is_refused(app, admin_client):
    code = f"N{uuid.uuid4().hex[:6]}"
    answer = admin_client.post("/storeview/add", data=_store_form(code, "x\x00y"))
    assert answer.status_code == 400
    with app.app_context():
        assert db.session.query(Store).filter_by(code=code).count() == 0


# ---------------------------------------------------------------- size


def test_an_oversized_json_body_is_a_413_before_parsing(app, api_as):
    limit = app.config["MAX_JSON_CONTENT_LENGTH"]
    body = "{" + "x" * limit  # not even JSON: refused for its size before any parsing
    answer = api_as("pos1").post(MEMBERS, data=body, content_type="application/json")
    assert _error(answer, 413)["code"] == "PAYLOAD_TOO_LARGE"


def test_an_oversized_form_is_a_413(app, admin_client):
    body = b"name=" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    answer = admin_client.post("/storeview/add", data=body, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 413


# ---------------------------------------------------------------- names of spaces only


@pytest.mark.parametrize("name", ["   ", "\u3000", "\t"])
def test_a_blank_member_name_is_refused_by_the_api(app, api_as, name):
    phone = _new_phone()
    error = _error(api_as("pos1").post(MEMBERS, json={"phone": phone, "name": name}), 422)
    assert error["code"] == "VALIDATION_ERROR" and "name" in error["fields"]
    with app.app_context():
        assert db.session.query(Member).filter_by(phone=phone).count() == 0


def test_a_blank_store_name_is_refused_by_the_admin_form(app, admin_client):
    code = f"B{uuid.uuid4().hex[:6]}"
    html = admin_client.post("/storeview/add", data=_store_form(code, "   "), follow_redirects=True)
    assert html.status_code == 200
    assert "名称不能为空白" in html.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Store).filter_by(code=code).count() == 0


def test_a_name_may_not_be_edited_to_spaces(app, admin_client):
    with app.app_context():
        store = db.session.query(Store).filter_by(code="S003").one()
        store_id, before = store.id, store.name
    admin_client.post(f"/storeview/edit/{store_id}", data=_store_form("S003", "  ", "franchise"))
    with app.app_context():
        assert db.session.get(Store, store_id).name == before


# ---------------------------------------------------------------- CSV exports


FORMULAS = ["=HYPERLINK(\"http://evil\")", "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR"]


def test_member_export_neutralises_formulas(app, client_as):
    with app.app_context():
        s001 = db.session.query(Store).filter_by(code="S001").one().id
        numbers = {}
        for name in FORMULAS:
            member_no = f"MX{uuid.uuid4().hex[:12]}"
            db.session.add(Member(member_no=member_no, phone=_new_phone(), name=name, home_store_id=s001))
            numbers[member_no] = name
        db.session.commit()
    text = client_as("hq").get("/member-export/members.csv").get_data(as_text=True)
    rows = {row[0]: row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))}
    for member_no, name in numbers.items():
        assert rows[member_no][2] == "'" + name


def test_every_csv_writer_goes_through_the_core_helper():
    """Exports elsewhere (core or plugins) must write rows with ``app.csv_export.csv_line``."""
    offenders = []
    for path in [*ROOT.joinpath("app").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")]:
        if path.name == "csv_export.py":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"\bcsv\.(writer|DictWriter)\b|^\s*from csv import", source, re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
