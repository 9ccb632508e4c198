"""Admin: rule form with the seed's field groups and refused combinations, workflow actions,
coupon list with lifecycle actions, coupon detail with history, store scope, grants."""

from datetime import date

from app.extensions import db
from tests.support.coupons import issue, make_rule_fixture, new_member_fixture, unique  # noqa: F401 (fixtures)

RULES = "/couponruleview"
COUPONS = "/couponview"


def _form(**fields):
    data = {
        "name": "表单券",
        "medium": "electronic",
        "kind": "normal",
        "offer_type": "cash",
        "face_value_fen": "10.00",
        "effective_date": date.today().isoformat(),
        "min_order_fen": "0",
        "validity_type": "days",
        "valid_days": "30",
        "code_prefix": unique("F"),
        "code_suffix": "",
        "code_length": "8",
        "total_count": "100",
        "start_value": "0",
    }
    data.update(fields)
    return data


def _rule_by_name(app, name):
    from plugins.coupons.models import CouponRule

    with app.app_context():
        rule = db.session.query(CouponRule).filter_by(name=name).one_or_none()
        return (
            None
            if rule is None
            else {
                "id": rule.id,
                "status": rule.status,
                "end_value": rule.end_value,
                "disabled": rule.disabled,
            }
        )


def test_rule_form_shows_the_seed_field_groups(client_as):
    admin = client_as("admin")
    admin.get("/lang/zh")
    page = admin.get(f"{RULES}/add").get_data(as_text=True)
    for group in ("券信息", "券说明", "券编码规则", "面额（元）"):
        assert group in page
    admin.get("/lang/en")
    page = admin.get(f"{RULES}/add").get_data(as_text=True)
    for group in ("Coupon information", "Coupon description", "Coupon code rule", "Face value (yuan)"):
        assert group in page


def test_add_rule_through_the_form_and_run_the_workflow(app, client_as):
    admin = client_as("hq")  # a Merchant: HQ registers and audits rules
    name = unique("表单")
    response = admin.post(f"{RULES}/add", data=_form(name=name, start_value="5"), follow_redirects=True)
    assert response.status_code == 200
    rule = _rule_by_name(app, name)
    assert rule["status"] == "draft" and rule["end_value"] == 104
    for action, status in (("save_rule", "created"), ("submit_rule", "auditing"), ("audit_rule", "audited")):
        admin.post(
            f"{RULES}/action_post", data={"action": action, "rowid": rule["id"]}, follow_redirects=True
        )
        assert _rule_by_name(app, name)["status"] == status
    admin.post(f"{RULES}/action_post", data={"action": "disable_rule", "rowid": rule["id"]})
    assert _rule_by_name(app, name)["disabled"] is True
    edit = admin.post(f"{RULES}/edit/{rule['id']}", data=_form(name=name + "x"), follow_redirects=True)
    assert edit.status_code == 200 and _rule_by_name(app, name) is not None  # audited: not editable
    show = admin.get(f"{RULES}/show/{rule['id']}").get_data(as_text=True)
    assert "couponview/list" in show


def test_invalid_combination_is_refused_in_the_form(app, client_as):
    admin = client_as("admin")
    admin.get("/lang/en")
    name = unique("坏券")
    page = admin.post(
        f"{RULES}/add", data=_form(name=name, medium="physical", kind="marketing"), follow_redirects=True
    ).get_data(as_text=True)
    assert "A physical coupon is always of the normal kind." in page
    assert _rule_by_name(app, name) is None
    page = admin.post(
        f"{RULES}/add",
        data=_form(name=name, offer_type="recharge", recharge_code_length="16"),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Recharge vouchers are only for physical normal coupons." in page
    assert _rule_by_name(app, name) is None


def test_coupon_list_detail_and_store_scope(app, client_as, make_rule, new_member):
    from app.org.models import Store
    from plugins.coupons.generation import request_generation
    from plugins.coupons.models import Coupon, CouponRule
    from plugins.coupons.services import collect_coupons

    member = new_member()
    code = issue(app, make_rule(), member["id"])
    rule_id = make_rule(medium="physical", total_count=3)
    with app.app_context():
        request_generation(db.session.get(CouponRule, rule_id))
        ids = [c.id for c in db.session.query(Coupon).filter_by(rule_id=rule_id).order_by(Coupon.id)]
        s002 = db.session.query(Store).filter_by(code="S002").one().id
        collect_coupons(ids[2:], s002)
        coupon_id = db.session.query(Coupon).filter_by(code=code).one().id
    admin = client_as("admin")
    admin.get("/lang/en")
    detail = admin.get(f"{COUPONS}/show/{coupon_id}").get_data(as_text=True)
    assert code in detail and "History" in detail and "Issue" in detail
    # HQ collects to a chosen store
    form = admin.get(f"{COUPONS}/collect?ids={ids[0]}")
    assert form.status_code == 200 and "S001" in form.get_data(as_text=True)
    s001 = None
    with app.app_context():
        s001 = db.session.query(Store).filter_by(code="S001").one().id
    admin.post(f"{COUPONS}/collect", data={"rowid": ids[0], "store_id": s001})
    manager = client_as("manager1")
    listing = manager.get(f"{COUPONS}/list/").get_data(as_text=True)
    with app.app_context():
        codes = {c.id: c.code for c in db.session.query(Coupon).filter(Coupon.id.in_(ids))}
        assert db.session.get(Coupon, ids[0]).status == "collected"
    assert codes[ids[0]] in listing and codes[ids[2]] not in listing
    assert "/show/" in listing and "/edit/" not in listing and "/delete/" not in listing  # no icon to a 404
    assert manager.get(f"{COUPONS}/show/{ids[2]}").status_code == 404  # another store's coupon
    manager.post(f"{COUPONS}/action_post", data={"action": "issue", "rowid": ids[0]})
    manager.post(f"{COUPONS}/action_post", data={"action": "void", "rowid": ids[2]})  # other store: refused
    with app.app_context():
        assert db.session.get(Coupon, ids[0]).status == "issued"
        assert db.session.get(Coupon, ids[2]).status == "collected"


def test_grants(app, client_as):
    cashier = client_as("cashier1")
    assert cashier.get(f"{RULES}/list/").status_code == 200
    assert cashier.post(f"{RULES}/add", data=_form(name="收银员券")).status_code == 403
    assert _rule_by_name(app, "收银员券") is None
    assert client_as("guide1").get(f"{RULES}/list/").status_code == 403
    assert client_as("manager1").get(f"{COUPONS}/collect").status_code == 403


def test_finance_documents_and_redemptions_are_listed_for_hq(app, client_as, make_rule, new_member):
    member = new_member(sv_fen=1000)
    rule_id = make_rule(sale_price_fen=300)
    client = app.test_client()
    bought = client.post(
        f"/api/v1/mall/coupons/rules/{rule_id}/purchase",
        headers={"Authorization": f"Bearer {member['token']}"},
        json={"payment_method": "stored_value"},
    )
    assert bought.status_code == 201
    hq = client_as("hq")
    hq.get("/lang/en")
    page = hq.get("/financedocview/list/").get_data(as_text=True)
    assert "Other receivable" in page and "Receipt" in page
    assert client_as("cashier1").get("/financedocview/list/").status_code == 403
    assert client_as("cashier1").get("/redemptionview/list/").status_code == 200


def test_a_coupon_page_offers_only_the_steps_its_status_allows(app, client_as, make_rule):
    from plugins.coupons.generation import request_generation
    from plugins.coupons.models import Coupon, CouponRule
    from plugins.coupons.services import collect_coupons, void_coupons

    rule_id = make_rule(medium="physical", total_count=3)
    with app.app_context():
        request_generation(db.session.get(CouponRule, rule_id))
        generated, collected, voided = [c.id for c in db.session.query(Coupon).filter_by(rule_id=rule_id)
                                        .order_by(Coupon.id)]
        from app.org.models import Store

        s001 = db.session.query(Store).filter_by(code="S001").one().id
        collect_coupons([collected], s001)
        void_coupons([voided])
        db.session.commit()
    admin = client_as("admin")

    def offered(coupon_id):
        page = admin.get(f"{COUPONS}/show/{coupon_id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        return {name for name in ("collect", "issue", "void") if f"/action/{name}/" in html}

    assert offered(generated) == {"void"}  # collecting asks for a store: from the list only
    assert offered(collected) == {"issue", "void"}
    assert offered(voided) == set()
