"""Refused pay codes are kept for HQ: written although the refused charge rolls back, listed on
an HQ-only page (time, store, till, reason, masked code) with filters, in both languages."""

from sqlalchemy import select

from app.extensions import db
from tests.support.payment_code import error_code, mall_code, member_fixture, till_fixture  # noqa: F401

REFUSALS = "/paycoderefusalview"
CHARGE = "/api/v1/pos/pay-code/charge"


def _refusals(app, user_id):
    from plugins.payment_code.models import PayCodeRefusal

    with app.app_context():
        rows = db.session.scalars(select(PayCodeRefusal).where(PayCodeRefusal.user_id == user_id)
                                  .order_by(PayCodeRefusal.id))
        return [(r.reason, r.store.code if r.store else None, r.code_masked) for r in rows]


def _user_id(app, client):
    from flask_jwt_extended import decode_token

    with app.app_context():
        return int(decode_token(client.headers["Authorization"].split()[1])["sub"])


def test_refused_codes_are_kept_with_store_till_reason_and_masked_code(app, member, till):
    someone = member(sv_fen=1000)
    pos = till("S002")
    code = mall_code(app, someone)["code"]
    wrong = code[:10] + f"{(int(code[10:]) + 1) % 10**8:08d}"
    assert error_code(pos.post(CHARGE, json={"code": wrong, "amount_fen": 100})) == "PAY_CODE_INVALID"
    assert error_code(pos.post(CHARGE, json={"code": "12345", "amount_fen": 100})) == "PAY_CODE_MALFORMED"
    assert error_code(pos.post(CHARGE, json={"code": code, "amount_fen": 5000})) == "INSUFFICIENT_BALANCE"
    assert pos.post(CHARGE, json={"code": code, "amount_fen": 100}).status_code == 201
    assert error_code(pos.post(CHARGE, json={"code": code, "amount_fen": 100})) == "PAY_CODE_USED"
    kept = _refusals(app, _user_id(app, pos))
    assert [(reason, store) for reason, store, _ in kept] == [
        ("PAY_CODE_INVALID", "S002"), ("PAY_CODE_MALFORMED", "S002"), ("INSUFFICIENT_BALANCE", "S002"),
        ("PAY_CODE_USED", "S002")]
    masked = [m for _, _, m in kept]
    assert masked[0] == wrong[:4] + "…" + wrong[-2:] and masked[3] == code[:4] + "…" + code[-2:]
    assert all(code not in m and wrong not in m for m in masked)


def test_hq_lists_and_filters_refusals_in_both_languages_store_staff_cannot(app, member, till, client_as):
    someone = member()
    pos = till("S001")
    code = mall_code(app, someone)["code"]
    wrong = code[:10] + f"{(int(code[10:]) + 1) % 10**8:08d}"
    pos.post(CHARGE, json={"code": wrong, "amount_fen": 100})
    pos.post(CHARGE, json={"code": "7" + "0" * 17, "amount_fen": 100})  # an unknown card code
    pos.post(CHARGE, json={"code": "x" * 20, "amount_fen": 100})
    till_id = _user_id(app, pos)
    with app.app_context():
        till_name = app.appbuilder.sm.get_user_by_id(till_id).username
    hq = client_as("hq")
    hq.get("/lang/en")
    page = hq.get(f"{REFUSALS}/list/?_flt_0_user={till_id}").get_data(as_text=True)
    assert "Refused pay codes" in page and till_name in page
    assert page.count("Wrong code") >= 2 and "Not a pay code (malformed)" in page
    assert wrong[:4] + "…" + wrong[-2:] in page and wrong not in page
    assert "/edit/" not in page and "/delete/" not in page
    malformed = hq.get(f"{REFUSALS}/list/?_flt_0_reason=PAY_CODE_MALFORMED").get_data(as_text=True)
    assert "Not a pay code (malformed)" in malformed and "Wrong code</td>" not in malformed
    hq.get("/lang/zh")
    page = hq.get(f"{REFUSALS}/list/?_flt_0_user={till_id}").get_data(as_text=True)
    assert "被拒付款码" in page and "错误的码" in page
    for user in ("manager1", "cashier1"):
        assert client_as(user).get(f"{REFUSALS}/list/").status_code == 403
