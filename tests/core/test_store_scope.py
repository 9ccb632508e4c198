"""Store roles see and touch only their own store, in views, actions and APIs."""

from app.extensions import db
from app.org.models import Store
from app.platform.staff import Staff


def _ids(app):
    with app.app_context():
        stores = {s.code: s.id for s in db.session.query(Store)}
        from retail_test_plugin.models import SampleNote

        notes = {n.store_id: n.id for n in db.session.query(SampleNote)}
        staff = {s.employee_no: s.id for s in db.session.query(Staff)}
    return stores, notes, staff


def test_cashier_lists_only_own_store(app, client_as):
    html = client_as("cashier1").get("/storeview/list/").get_data(as_text=True)
    assert "S001" in html and "S002" not in html and "S003" not in html
    html = client_as("cashier1").get("/staffview/list/").get_data(as_text=True)
    assert "E0102" in html and "E0201" not in html and "E0001" not in html
    html = client_as("hq").get("/storeview/list/").get_data(as_text=True)
    assert "S001" in html and "S002" in html and "S003" in html


def test_other_store_rows_answer_404(app, client_as):
    stores, notes, staff = _ids(app)
    cashier = client_as("cashier1")
    assert cashier.get(f"/storeview/show/{stores['S001']}").status_code == 200
    assert cashier.get(f"/storeview/show/{stores['S002']}").status_code == 404
    assert cashier.get(f"/staffview/show/{staff['E0201']}").status_code == 404
    assert cashier.get(f"/samplenoteview/show/{notes[stores['S002']]}").status_code == 404
    assert cashier.get(f"/samplenoteview/edit/{notes[stores['S002']]}").status_code == 404
    assert cashier.get(f"/samplenoteview/show/{notes[stores['S001']]}").status_code == 200


def test_store_dropdown_and_writes_are_scoped(app, client_as):
    stores, notes, _ = _ids(app)
    cashier = client_as("cashier2")
    form = cashier.get("/samplenoteview/add").get_data(as_text=True)
    assert "S002" in form and "S001" not in form
    # a forged store id in the form still lands in the cashier's own store
    cashier.post("/samplenoteview/add", data={"store": stores["S001"], "text": "forged"})
    with app.app_context():
        from retail_test_plugin.models import SampleNote

        forged = db.session.query(SampleNote).filter_by(text="forged").all()
        assert all(n.store_id == stores["S002"] for n in forged)
    # deleting another store's row is refused
    cashier.post(f"/samplenoteview/delete/{notes[stores['S001']]}")
    with app.app_context():
        from retail_test_plugin.models import SampleNote

        assert db.session.get(SampleNote, notes[stores["S001"]]) is not None


def test_actions_on_other_store_rows_are_refused(app, client_as):
    _, _, staff = _ids(app)
    manager = client_as("manager1")
    refused = manager.post("/staffview/action_post",
                           data={"action": "mark_left", "rowid": [staff["E0201"]]}, follow_redirects=True)
    assert refused.status_code == 200
    assert "部分所选记录不属于您的门店" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Staff, staff["E0201"]).status == "active"


def test_api_lists_only_callers_store(app, api_as):
    stores, _, _ = _ids(app)
    result = api_as("cashier2").get("/api/v1/sample/notes").get_json()["result"]
    assert result and {n["store_id"] for n in result} == {stores["S002"]}
    # cashier has no API permission grant; POS of S001 does
    pos = api_as("pos1").get("/api/v1/sample/notes")
    assert {n["store_id"] for n in pos.get_json()["result"]} == {stores["S001"]}
