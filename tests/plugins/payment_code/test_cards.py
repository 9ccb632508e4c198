"""Stored-value cards: batches from the admin form (job, limits, leak warning), the card ledger
(spend = balance), printed pay codes, freezing, binding (direct and one-time QR), export."""

import csv
import io
import itertools
import re
import secrets

from sqlalchemy import func, select

from app.extensions import db
from tests.support.payment_code import error_code, member_fixture, till_fixture  # noqa: F401 (fixtures)
from tests.support.privacy import sku_fixture  # noqa: F401 (fixture)

BATCHES, CARDS = "/cardbatchview", "/cardview"
_prefixes = itertools.count(1)


def _prefix() -> str:
    return f"T{next(_prefixes)}{secrets.token_hex(3).upper()}"[:10]


def _form(**fields) -> dict:
    data = {"name": "测试卡", "count": "5", "card_prefix": _prefix(), "number_length": "6",
            "start_value": "1", "face_value_fen": "50.00", "valid_until": "", "code_kind": "qr",
            "leak_acknowledged": "y"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _cards(app, prefix):
    from plugins.payment_code.cards import printed_code
    from plugins.payment_code.models import Card

    with app.app_context():
        rows = db.session.scalars(select(Card).where(Card.card_no.like(f"{prefix}%")).order_by(Card.card_no))
        return [{"id": c.id, "card_no": c.card_no, "balance_fen": c.balance_fen, "status": c.status,
                 "code": printed_code(c), "member_id": c.member_id} for c in rows]


def _ledger_sum(app, card_id):
    from plugins.payment_code.models import Card, CardTxn

    with app.app_context():
        total = db.session.scalar(select(func.sum(CardTxn.amount_fen)).where(CardTxn.card_id == card_id)) or 0
        return total, db.session.get(Card, card_id).balance_fen


def _make(client_as, app, **fields):
    form = _form(**fields)
    hq = client_as("hq")
    hq.get("/lang/en")
    response = hq.post(f"{BATCHES}/add", data=form, follow_redirects=True)
    assert response.status_code == 200
    return form["card_prefix"], _cards(app, form["card_prefix"]), response.get_data(as_text=True)


def test_a_batch_from_the_admin_form_makes_its_cards_in_a_job(app, client_as):
    prefix, made, _ = _make(client_as, app, count="7", start_value="98")
    assert [c["card_no"] for c in made] == [f"{prefix}{n:06d}" for n in range(98, 105)]
    assert {c["balance_fen"] for c in made} == {5000} and {c["status"] for c in made} == {"active"}
    codes = [c["code"] for c in made]
    assert all(len(code) == 18 and code.startswith("7") for code in codes) and len(set(codes)) == 7
    with app.app_context():
        from app.platform.models import Job
        from plugins.payment_code.models import Card, CardBatch

        batch = db.session.scalar(select(CardBatch).where(CardBatch.card_prefix == prefix))
        assert (batch.status, batch.generated) == ("done", 7)
        job = db.session.get(Job, batch.job_id)
        assert job.status == "done" and job.done == 7
        stored = db.session.get(Card, made[0]["id"])
        assert made[0]["code"] not in (stored.code_enc or "") and stored.code_hash != made[0]["code"]
    for card in made:
        assert _ledger_sum(app, card["id"]) == (5000, 5000)  # the opening row


def test_batch_form_refusals_keep_the_form_and_write_nothing(app, client_as):
    from app.platform.settings import set_setting

    with app.app_context():
        set_setting("payment_code.batch_max_cards", 10)
        db.session.commit()
    try:
        prefix, made, page = _make(client_as, app, count="11")
        assert made == [] and "1 to 10 cards" in page and prefix in page  # typed value kept
    finally:
        with app.app_context():
            set_setting("payment_code.batch_max_cards", 100_000)
            db.session.commit()
    prefix, made, page = _make(client_as, app, leak_acknowledged=None)
    assert made == [] and "Acknowledge the warning" in page
    prefix, made, _ = _make(client_as, app, code_kind="none", leak_acknowledged=None, count="3")
    assert len(made) == 3 and made[0]["code"] is None  # no printed code: no warning needed
    _, again, page = _make(client_as, app, card_prefix=prefix, start_value="3", count="2")
    assert "overlap" in page
    assert len(_cards(app, prefix)) == 3
    _, made, page = _make(client_as, app, number_length="4", start_value="9999", count="2")
    assert made == [] and "does not fit" in page


def test_batches_and_cards_are_hq_pages(client_as):
    assert client_as("manager1").get(f"{BATCHES}/list/").status_code == 403
    assert client_as("cashier1").get(f"{CARDS}/list/").status_code == 403
    assert client_as("hq").get(f"{CARDS}/list/").status_code == 200


def test_printed_code_spends_the_card_and_the_ledger_equals_the_balance(app, client_as, till, sku):
    _, made, _ = _make(client_as, app, count="2")
    card = made[0]
    pos = till()
    paid = pos.post("/api/v1/pos/pay-code/charge", json={"code": card["code"], "amount_fen": 1234})
    assert paid.status_code == 201, paid.get_json()
    result = paid.get_json()["result"]
    assert result == {"member_id": None, "txn_no": result["txn_no"], "balance_fen": 3766, "source": "card",
                      "card_no": card["card_no"]}
    over = pos.post("/api/v1/pos/pay-code/charge", json={"code": card["code"], "amount_fen": 3767})
    assert over.status_code == 409 and error_code(over) == "INSUFFICIENT_BALANCE"
    sale = pos.post("/api/v1/pos/orders", json={
        "lines": [{"sku_code": sku, "qty": 1}],
        "payments": [{"method": "pay_code", "amount_fen": 3000, "code": card["code"]},
                     {"method": "cash", "amount_fen": 2000}]})
    assert sale.status_code == 201, sale.get_json()
    assert _ledger_sum(app, card["id"]) == (766, 766)
    returned = pos.post(f"/api/v1/pos/orders/{sale.get_json()['result']['order_no']}/returns", json={})
    assert returned.status_code == 201
    assert _ledger_sum(app, card["id"]) == (3766, 3766)
    assert _ledger_sum(app, made[1]["id"]) == (5000, 5000)  # the other card untouched


def test_a_frozen_card_is_refused_at_once(app, client_as, till):
    _, made, _ = _make(client_as, app, count="2")
    hq = client_as("hq")
    hq.post(f"{CARDS}/action_post", data={"action": "freeze", "rowid": made[0]["id"]})
    assert _cards(app, made[0]["card_no"])[0]["status"] == "frozen"
    refused = till().post("/api/v1/pos/pay-code/charge", json={"code": made[0]["code"], "amount_fen": 100})
    assert refused.status_code == 409 and error_code(refused) == "CARD_FROZEN"
    assert _ledger_sum(app, made[0]["id"]) == (5000, 5000)
    hq.post(f"{CARDS}/action_post", data={"action": "unfreeze", "rowid": made[0]["id"]})
    again = till().post("/api/v1/pos/pay-code/charge", json={"code": made[0]["code"], "amount_fen": 100})
    assert again.status_code == 201


def test_guessed_card_codes_are_refused(app, till):
    response = till().post("/api/v1/pos/pay-code/charge", json={"code": "7" + "0" * 17, "amount_fen": 1})
    assert response.status_code == 422 and error_code(response) == "PAY_CODE_INVALID"


def test_bind_directly_and_twice_refused(app, client_as, till, member):
    _, made, _ = _make(client_as, app, count="1", code_kind="none", leak_acknowledged=None)
    someone, other = member(), member()
    pos = till()
    bound = pos.post(f"/api/v1/pos/cards/{made[0]['card_no']}/bind", json={"member_id": someone["id"]})
    assert bound.status_code == 200 and bound.get_json()["result"]["member_id"] == someone["id"]
    twice = pos.post(f"/api/v1/pos/cards/{made[0]['card_no']}/bind", json={"member_id": other["id"]})
    assert twice.status_code == 409 and error_code(twice) == "CARD_ALREADY_BOUND"
    assert _cards(app, made[0]["card_no"])[0]["member_id"] == someone["id"]
    looked_up = pos.get(f"/api/v1/pos/cards/{made[0]['card_no']}")
    assert looked_up.status_code == 200 and looked_up.get_json()["result"]["balance_fen"] == 5000
    assert pos.get("/api/v1/pos/cards/NOPE").status_code == 404


def test_bind_by_scanning_a_one_time_qr(app, client_as, till, member):
    _, made, _ = _make(client_as, app, count="1")
    someone, other = member(), member()
    made_code = till().post(f"/api/v1/pos/cards/{made[0]['card_no']}/bind-code")
    assert made_code.status_code == 201, made_code.get_json()
    token = made_code.get_json()["result"]["token"]
    assert made_code.get_json()["result"]["qr_png"].startswith("data:image/png;base64,")
    mall = app.test_client()

    def bind(who, value):
        return mall.post("/api/v1/mall/cards/bind", json={"token": value},
                         headers={"Authorization": f"Bearer {who['token']}"})

    assert bind(someone, token + "x").status_code == 400
    first = bind(someone, token)
    assert first.status_code == 200 and first.get_json()["result"]["member_id"] == someone["id"]
    reused = bind(other, token)
    assert reused.status_code == 409 and error_code(reused) == "CARD_BIND_TOKEN_USED"
    mine = mall.get("/api/v1/mall/cards", headers={"Authorization": f"Bearer {someone['token']}"})
    assert [c["card_no"] for c in mine.get_json()["result"]] == [made[0]["card_no"]]
    bound_already = till().post(f"/api/v1/pos/cards/{made[0]['card_no']}/bind-code")
    assert bound_already.status_code == 409 and error_code(bound_already) == "CARD_ALREADY_BOUND"


def test_export_has_the_filtered_rows_with_member_names(app, client_as, till, member):
    prefix, made, _ = _make(client_as, app, count="3")
    _, others, _ = _make(client_as, app, count="2")
    someone = member()
    till().post(f"/api/v1/pos/cards/{made[1]['card_no']}/bind", json={"member_id": someone["id"]})
    hq = client_as("hq")
    hq.get("/lang/en")
    exported = hq.get(f"{CARDS}/export/?_flt_0_card_no={prefix}&format=csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Card number", "Card batch", "Status"] and "Member name" in rows[0]
    assert [r[0] for r in rows[1:]] == [c["card_no"] for c in made]  # the filter's rows only
    by_no = {r[0]: r for r in rows[1:]}
    assert by_no[made[1]["card_no"]][5:7] == [someone["member_no"], "付款码会员"]
    assert by_no[made[0]["card_no"]][3] == "50.00" and by_no[made[0]["card_no"]][7] == made[0]["code"]
    assert others[0]["card_no"] not in by_no
    xlsx = hq.get(f"{CARDS}/export/?_flt_0_card_no={prefix}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"
    assert hq.get(f"{CARDS}/export/?format=pdf").status_code == 422
    listing = hq.get(f"{CARDS}/list/?_flt_0_card_no={prefix}").get_data(as_text=True)
    assert "付款码会员" in listing and "export-xlsx" in listing


def test_admin_lists_offer_no_edit_or_delete(app, client_as):
    """Batches, cards and their ledger are never edited or deleted: no icon leads to a 404."""
    prefix, made, _ = _make(client_as, app, count="2")
    hq = client_as("hq")
    for url in (f"{BATCHES}/list/", f"{CARDS}/list/?_flt_0_card_no={prefix}", "/cardtxnview/list/"):
        html = hq.get(url).get_data(as_text=True)
        assert "/show/" in html, url  # rows are listed, with their details link
        assert "/edit/" not in html and "/delete/" not in html, url
    assert hq.get(f"{CARDS}/edit/{made[0]['id']}").status_code == 404


def test_the_member_page_lists_the_members_cards_after_their_stored_value(app, client_as, till, member):
    prefix, made, _ = _make(client_as, app, count="3", face_value_fen="12.34")
    someone = member(sv_fen=0)
    pos = till()
    for card in made[:2]:
        assert pos.post(f"/api/v1/pos/cards/{card['card_no']}/bind",
                        json={"member_id": someone["id"]}).status_code == 200
    hq = client_as("hq")
    hq.get("/lang/en")
    html = hq.get(f"/memberview/show/{someone['id']}").get_data(as_text=True)
    keys = re.findall(r'detail-section" id="section-([\w-]+)"', html)
    assert keys.index("stored-value-cards") == keys.index("stored-value") + 1
    section = html[html.index('id="section-stored-value-cards"'):html.index('id="section-points"')]
    assert "Stored-value cards: 24.68 yuan" in section
    assert made[0]["card_no"] in section and made[1]["card_no"] in section
    assert made[2]["card_no"] not in section  # not bound to this member
    assert "12.34" in section and "Card usable" in section
