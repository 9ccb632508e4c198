"""Staff pages: a store role offers and changes only logins it may manage (issue 12 §2).

Never an HQ (Admin/Merchant) or provider account, never a user of another store; checked
on the server for add, edit, delete, single-row actions and ``action_post``.  HQ may.
"""

from __future__ import annotations

import re
import uuid

import pytest

from app.extensions import db
from app.org.models import Store
from app.platform.staff import Staff
from tests.support.app import PASSWORD


def _user(app, role, store_code=None, staffed=True):
    """A fresh login of ``role``; with a staff row in ``store_code`` (None: HQ row) when staffed."""
    name = f"t{uuid.uuid4().hex[:10]}"
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.add_user(name, name, "", f"{name}@test.local", sm.find_role(role), password=PASSWORD)
        staff_id = None
        if staffed:
            store_id = db.session.query(Store).filter_by(code=store_code).one().id if store_code else None
            staff = Staff(user_id=user.id, store_id=store_id, employee_no=f"X{uuid.uuid4().hex[:12]}",
                          name=name)
            db.session.add(staff)
            db.session.commit()
            staff_id = staff.id
        return {"user_id": user.id, "staff_id": staff_id, "username": name}


def _active(app, user_id) -> bool:
    with app.app_context():
        return app.appbuilder.sm.get_user_by_id(user_id).active


def _staff(app, staff_id):
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        return None if staff is None else (staff.user_id, staff.status)


def _store_id(app, code):
    with app.app_context():
        return db.session.query(Store).filter_by(code=code).one().id


def _form(app, user_id, employee_no, name="x"):
    return {"user": user_id, "store": _store_id(app, "S001"), "employee_no": employee_no, "name": name,
            "phone": "13700000000"}


def _mark_left(client, staff_id):
    return client.post("/staffview/action_post", data={"action": "mark_left", "rowid": [staff_id]})


def _offered_user_ids(html: str) -> set[int]:
    select = re.search(r'<select[^>]*name="user"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the form has a login dropdown"
    return {int(v) for v in re.findall(r'value="(\d+)"', select.group(1))}


# targets a store manager of S001 may NOT manage, and one it may
FORBIDDEN_TARGETS = {
    "admin": ("Admin", "S001"),  # an Admin account placed in the manager's own store
    "merchant": ("Merchant", "S001"),
    "provider": ("ServiceProvider", None),
    "other_store": ("Cashier", "S002"),
    "hq_row": ("Cashier", None),  # a store-role login kept on an HQ staff row
}


@pytest.mark.parametrize("target", sorted(FORBIDDEN_TARGETS))
def test_store_manager_cannot_mark_an_unmanageable_login_left(app, client_as, target):
    role, store = FORBIDDEN_TARGETS[target]
    victim = _user(app, role, store)
    manager = client_as("manager1")
    _mark_left(manager, victim["staff_id"])
    assert _staff(app, victim["staff_id"]) == (victim["user_id"], "active")
    assert _active(app, victim["user_id"])
    if store == "S001":  # visible to the manager: the single-row action is refused too
        answer = manager.post(f"/staffview/action/mark_left/{victim['staff_id']}")
        assert answer.status_code == 403
        assert _active(app, victim["user_id"])


def test_store_manager_cannot_edit_or_delete_an_admin_row_of_its_store(app, client_as):
    victim = _user(app, "Admin", "S001")
    manager = client_as("manager1")
    assert manager.get(f"/staffview/edit/{victim['staff_id']}").status_code == 403
    own = _user(app, "Cashier", staffed=False)
    manager.post(f"/staffview/edit/{victim['staff_id']}", data=_form(app, own["user_id"], "EDITED1"))
    assert _staff(app, victim["staff_id"]) == (victim["user_id"], "active")
    manager.post(f"/staffview/delete/{victim['staff_id']}")
    assert _staff(app, victim["staff_id"]) is not None


def test_store_manager_add_form_offers_only_manageable_logins(app, client_as):
    free = _user(app, "Cashier", staffed=False)
    free_hq = _user(app, "Merchant", staffed=False)
    other = _user(app, "Guide", "S002")
    manager = client_as("manager1")
    offered = _offered_user_ids(manager.get("/staffview/add").get_data(as_text=True))
    assert free["user_id"] in offered
    assert not offered & {free_hq["user_id"], other["user_id"]}
    with app.app_context():
        sm = app.appbuilder.sm
        hq_ids = {sm.find_user(username=name).id for name in ("admin", "hq", "provider1")}
    assert not offered & hq_ids
    hq_offered = _offered_user_ids(client_as("hq").get("/staffview/add").get_data(as_text=True))
    assert {free["user_id"], free_hq["user_id"]} <= hq_offered


@pytest.mark.parametrize("role", ["Admin", "Merchant"])
def test_store_manager_cannot_attach_an_hq_login_by_forging_the_form(app, client_as, role):
    hq_login = _user(app, role, staffed=False)
    employee_no = f"F{uuid.uuid4().hex[:10]}"
    client_as("manager1").post("/staffview/add", data=_form(app, hq_login["user_id"], employee_no))
    with app.app_context():
        assert db.session.query(Staff).filter_by(employee_no=employee_no).count() == 0


def test_store_manager_cannot_swap_an_own_row_to_an_hq_login(app, client_as):
    own = _user(app, "Cashier", "S001")
    hq_login = _user(app, "Admin", staffed=False)
    swapped = _form(app, hq_login["user_id"], "SWAP1")
    client_as("manager1").post(f"/staffview/edit/{own['staff_id']}", data=swapped)
    assert _staff(app, own["staff_id"]) == (own["user_id"], "active")


def test_store_manager_manages_its_own_store_logins(app, client_as):
    free = _user(app, "Cashier", staffed=False)
    employee_no = f"N{uuid.uuid4().hex[:10]}"
    manager = client_as("manager1")
    manager.post("/staffview/add", data=_form(app, free["user_id"], employee_no, "新员工"))
    with app.app_context():
        staff = db.session.query(Staff).filter_by(employee_no=employee_no).one()
        staff_id, store_id = staff.id, staff.store_id
    assert store_id == _store_id(app, "S001")
    assert manager.get(f"/staffview/edit/{staff_id}").status_code == 200
    _mark_left(manager, staff_id)
    assert _staff(app, staff_id) == (free["user_id"], "left")
    assert not _active(app, free["user_id"])


@pytest.mark.parametrize("role", ["Merchant", "Cashier"])
def test_hq_may_manage_any_login(app, client_as, role):
    victim = _user(app, role, "S002")
    _mark_left(client_as("hq"), victim["staff_id"])
    assert _staff(app, victim["staff_id"]) == (victim["user_id"], "left")
    assert not _active(app, victim["user_id"])
