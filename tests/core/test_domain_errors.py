"""Services raise domain errors and write through one unit of work (issue 13 §3).

- services raise ``app.errors.DomainError`` (code, message, details), never the HTTP
  layer's ``ApiError``; a status is named only for a code registered with several;
- nothing in app/ or plugins/ commits or rolls back the session outside
  ``app.unit_of_work`` but the short allow-list below;
- a nested unit joins the outer one: a failing later step leaves nothing written.
"""

from __future__ import annotations

import ast
import re
import secrets
from datetime import date
from pathlib import Path

import pytest

from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted([*ROOT.glob("app/**/services.py"), *ROOT.glob("plugins/**/services.py")])

# Each file here may commit or roll back the session itself, for the reason given.
SESSION_ALLOWED = {
    "app/unit_of_work.py": "the unit of work itself, and ``in_fresh_session`` (records that must "
                           "survive the caller's rollback: external calls, tokens)",
    "app/api.py": "the API error handler's clean-up after a failed request",
    "app/admin_fields.py": "a refused admin save: nothing half-written, the form keeps its input",
    "app/layout.py": "the error page after a failed request",
    "app/platform/jobs.py": "a background job commits its progress step by step",
    "app/security.py": "FAB role and permission sync (start-up, CLI)",
    "app/plugins.py": "plugin switches (admin page) and the flag read before the schema exists",
    "app/platform/caches.py": "the configuration version read before the schema exists",
    "app/platform/settings.py": "a setting's change (admin page), then the per-worker cache is told",
}
SERVICES_NOT_CONVERTED: set[str] = set()  # (none left: every service raises DomainError)
SESSION_CALL = re.compile(r"\b(?:db\.session|session|fresh)(?:\(\))?\.(commit|rollback)\(\)")


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _names(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            found.update(alias.name for alias in node.names)
    return found


def test_services_raise_domain_errors_not_api_errors():
    assert len(SERVICES) >= 8
    raising = {_relative(p) for p in SERVICES if "ApiError" in _names(ast.parse(p.read_text()))}
    assert sorted(raising - SERVICES_NOT_CONVERTED) == []
    still = sorted(SERVICES_NOT_CONVERTED - raising)
    assert still == [], "converted: take it off SERVICES_NOT_CONVERTED"


def test_nothing_catches_only_api_errors():
    """A service's refusal is a DomainError: code catching ``ApiError`` would miss it (a 500)."""
    offenders = []
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("plugins/**/*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and node.type is not None \
                    and "ApiError" in _names(node.type) and "DomainError" not in _names(node.type):
                offenders.append(f"{_relative(path)}:{node.lineno}")
    assert offenders == []


def test_only_the_http_layer_names_api_error():
    """``ApiError`` is the HTTP layer's own (request parsing, idempotency keys): services, tenders,
    platform clients and views raise ``DomainError``, whose status comes from the registry."""
    offenders = []
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("plugins/**/*.py")]):
        if _relative(path) != "app/api.py" and "ApiError" in _names(ast.parse(path.read_text())):
            offenders.append(_relative(path))
    assert offenders == []


def test_a_status_is_named_only_for_a_code_registered_with_several(app):
    from app.errors import error_code

    wrong = []
    with app.app_context():
        for path in SERVICES:
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DomainError"):
                    continue
                status = node.args[2] if len(node.args) > 2 else next(
                    (k.value for k in node.keywords if k.arg == "status"), None)
                if status is None:
                    continue
                code = node.args[0].value if isinstance(node.args[0], ast.Constant) else None
                entry = error_code(code) if code else None
                named = status.value if isinstance(status, ast.Constant) else None
                if entry is None or len(entry.statuses) < 2 or named not in entry.statuses:
                    wrong.append(f"{_relative(path)}:{node.lineno} {code} {named}")
    assert wrong == []


def test_no_commit_or_rollback_outside_a_unit_of_work():
    offenders = []
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("plugins/**/*.py")]):
        name = _relative(path)
        if name in SESSION_ALLOWED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if SESSION_CALL.search(line.split("#")[0]):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []
    stale = [name for name in SESSION_ALLOWED
             if not (ROOT / name).exists() or not SESSION_CALL.search((ROOT / name).read_text())]
    assert stale == [], "no longer commits: take it off SESSION_ALLOWED"


COMMIT_FLAG = re.compile(r"\bcommit\s*(?::\s*bool|=\s*(?:True|False)\b)")


def test_no_commit_flags():
    """A service never takes ``commit: bool``: the caller's unit of work decides."""
    offenders = [f"{_relative(path)}:{number}"
                 for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("plugins/**/*.py")])
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if COMMIT_FLAG.search(line.split("#")[0])]
    assert offenders == []


def test_the_checks_can_fail(tmp_path):
    assert COMMIT_FLAG.search("def issue(rule_id, commit: bool = True):")
    assert COMMIT_FLAG.search("    issue(rule.id, commit=False)")
    assert not COMMIT_FLAG.search("    with unit_of_work():")
    assert SESSION_CALL.search("        db.session.commit()")
    assert SESSION_CALL.search("    db.session().rollback()")
    assert not SESSION_CALL.search("    with unit_of_work():")
    assert "ApiError" in _names(ast.parse("from app.api import ApiError\nraise ApiError('X', 'y')"))


# ---------------------------------------------------------------- the registry


def test_plugin_error_codes_come_from_their_manifests_hook(app):
    """A package registers its codes through ``retail_error_codes`` (no module discovery),
    with the core paths they join (``groups``)."""
    from app.errors import error_code, error_table, group_error_codes, registry_of

    with app.app_context():
        assert error_code("COUPON_SOLD_OUT").owner == "coupons"
        assert error_code("MEITUAN_TIMEOUT").status == 504
        assert "COUPON_CODE_REQUIRED" in group_error_codes("TENDERS")
        assert "MEITUAN_CODE_REQUIRED" in group_error_codes("TENDERS")
        assert group_error_codes("MEMBER_REFUSALS") == ["MEMBER_NOT_IN_GROUP"]

    class Host:
        def __init__(self, table):
            self.table = table

        def error_codes(self):
            return self.table

    sample = registry_of(Host(error_table("sample", {"SAMPLE_REFUSED": (403, "Refused.")})))
    assert sample["SAMPLE_REFUSED"].status == 403 and "ORDER_NOT_FOUND" in sample
    with pytest.raises(ValueError, match="registered twice"):
        registry_of(Host(error_table("sample", {"ORDER_NOT_FOUND": (410, "Gone.")})))
    with pytest.raises(ValueError, match="not in the table"):
        error_table("sample", {"SAMPLE_REFUSED": (403, "Refused.")}, {"TENDERS": ("SAMPLE_OTHER",)})


# ---------------------------------------------------------------- the unit of work


def _note_count(app, text: str) -> int:
    from app.messages.models import Message

    with app.app_context():
        return db.session.query(Message).filter_by(title=text).count()


def _message(text: str):
    from flask_appbuilder.security.sqla.models import User

    from app.messages.models import Message

    user = db.session.query(User).filter_by(username="admin").one()
    return Message(user_id=user.id, title=text, body=text)


def test_a_nested_unit_joins_the_outer_one_and_a_failure_writes_nothing(app):
    from app.unit_of_work import in_unit_of_work, unit_of_work

    text = f"uow-{secrets.token_hex(4)}"
    with app.app_context():
        with pytest.raises(RuntimeError):
            with unit_of_work():
                with unit_of_work():  # a service's own unit, one step of a bigger one
                    db.session.add(_message(text))
                assert in_unit_of_work()
                raise RuntimeError("the second step fails")
        assert not in_unit_of_work()
    assert _note_count(app, text) == 0
    with app.app_context():
        with unit_of_work():
            with unit_of_work():
                db.session.add(_message(text))
    assert _note_count(app, text) == 1


@pytest.mark.own_database  # a session of its own: a connection of its own
def test_in_fresh_session_commits_whatever_becomes_of_the_callers_unit(app):
    """A record written through ``in_fresh_session`` inside a unit that then fails is kept; a
    failing ``work`` is logged, not raised, and writes nothing."""
    from app.unit_of_work import in_fresh_session, unit_of_work

    kept, failed = f"fresh-{secrets.token_hex(4)}", f"fresh-{secrets.token_hex(4)}"
    with app.app_context():
        record, callers, lost = _message(kept), _message(f"{kept}-caller"), _message(failed)
        db.session.expunge_all()
        with pytest.raises(RuntimeError):
            with unit_of_work():  # (SQLite: the record is written before the caller's first write)
                in_fresh_session(lambda fresh: fresh.add(record), "test record")
                db.session.add(callers)
                db.session.flush()
                raise RuntimeError("the caller fails after the record")

        def broken(fresh):
            fresh.add(lost)
            fresh.flush()
            raise ValueError("the record cannot be written")

        in_fresh_session(broken, "test record")  # logged, not raised
    assert _note_count(app, kept) == 1
    assert _note_count(app, f"{kept}-caller") == 0
    assert _note_count(app, failed) == 0


def test_a_failing_second_tender_leaves_the_coupon_unredeemed(app, api_as):
    """The coupon tender redeems in its own unit of work, joined into the sale's: when the
    stored value that follows is short, the whole sale -- the coupon's redemption included --
    is rolled back (an early commit would leave the coupon redeemed)."""
    from app.catalog.models import Product, Sku
    from app.inventory.services import move_stock
    from app.members.models import Member
    from app.org.models import Store
    from plugins.coupons.models import Coupon, CouponRule, Redemption
    from plugins.coupons.rules import validate_rule
    from plugins.coupons.services import issue_coupon

    tag = secrets.token_hex(3).upper()
    with app.app_context():
        store = db.session.query(Store).filter_by(code="S001").one()
        product = Product(code=f"UOW{tag}", name=f"UOW {tag}")
        sku = Sku(product=product, sku_code=f"UOW{tag}-1", barcode=f"69UOW{tag}", spec="", price_fen=5000)
        member = Member(member_no=f"UOW{tag}", phone=f"136{secrets.randbelow(10**8):08d}", name="UOW",
                        home_store_id=store.id, status="active")
        rule = CouponRule(name="UOW", medium="electronic", kind="normal", offer_type="cash",
                          face_value_fen=1000, effective_date=date.today(),
                          validity_type="days", valid_days=30, code_prefix=f"U{tag}", code_length=6,
                          total_count=10, start_value=0, min_order_fen=0)
        validate_rule(rule)
        rule.status = "audited"
        db.session.add_all([product, sku, member, rule])
        db.session.flush()
        move_stock(store.id, sku.id, 10, "purchase_in", f"TEST-{tag}")
        db.session.commit()
        code = issue_coupon(rule.id, member.id, "admin").code
        db.session.commit()
        sku_code, member_id = sku.sku_code, member.id
    response = api_as("pos1").post("/api/v1/pos/orders", json={
        "member_id": member_id,
        "lines": [{"sku_code": sku_code, "qty": 1}],
        "payments": [{"method": "coupon", "amount_fen": 1000, "code": code},
                     {"method": "stored_value", "amount_fen": 4000}],
    })
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "INSUFFICIENT_BALANCE"
    with app.app_context():
        coupon = db.session.query(Coupon).filter_by(code=code).one()
        assert coupon.status == "issued"
        assert db.session.query(Redemption).filter_by(coupon_id=coupon.id).count() == 0
