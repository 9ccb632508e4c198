"""Message center (F1.2): own messages only, multi-select mark read / delete, HQ notices."""

import re

import pytest

from app.extensions import db
from app.messages.models import Message, SmsOutbox
from app.messages.services import notify_hq, post_message, unread_count


def _user(app, username):
    return app.appbuilder.sm.find_user(username=username)


def _post(app, username, title, body="body"):
    with app.app_context():
        [message] = post_message([_user(app, username).id], title, body)
        db.session.commit()
        return message.id


def _rows(app, **filters):
    with app.app_context():
        return {(m.id, m.is_read) for m in db.session.query(Message).filter_by(**filters)}


def _list_html(client):
    response = client.get("/messageview/list/?psize_MessageView=100")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_users_see_only_their_own_messages(app, client_as):
    mine = _post(app, "cashier1", "For cashier one <b>x</b>")
    theirs = _post(app, "cashier2", "For cashier two only")
    cashier1 = client_as("cashier1")
    html = _list_html(cashier1)
    assert "For cashier one &lt;b&gt;x&lt;/b&gt;" in html  # escaped, visible
    assert "For cashier two only" not in html
    assert cashier1.get(f"/messageview/show/{mine}").status_code == 200
    assert cashier1.get(f"/messageview/show/{theirs}").status_code == 404
    assert cashier1.get("/messageview/show/999999").status_code == 404
    assert "For cashier two only" in _list_html(client_as("cashier2"))


def test_showing_a_message_marks_it_read(app, client_as):
    message_id = _post(app, "guide1", "Read me")
    assert _rows(app, id=message_id) == {(message_id, False)}
    assert client_as("guide1").get(f"/messageview/show/{message_id}").status_code == 200
    assert _rows(app, id=message_id) == {(message_id, True)}


def test_mark_several_read_in_one_request(app, client_as):
    ids = [_post(app, "manager1", f"bulk read {n}") for n in range(3)]
    keep = _post(app, "manager1", "stays unread")
    with app.app_context():
        before = unread_count(_user(app, "manager1"))
    response = client_as("manager1").post(
        "/messageview/action_post", data={"action": "mark_read", "rowid": [str(i) for i in ids]}
    )
    assert response.status_code == 302
    rows = _rows(app, user_id=_user_id(app, "manager1"))
    assert {read for message_id, read in rows if message_id in ids} == {True}
    assert _rows(app, id=keep) == {(keep, False)}
    with app.app_context():
        assert unread_count(_user(app, "manager1")) == before - 3


def _user_id(app, username):
    with app.app_context():
        return _user(app, username).id


def test_delete_several_in_one_request(app, client_as):
    ids = [_post(app, "cashier1", f"bulk delete {n}") for n in range(3)]
    keep = _post(app, "cashier1", "not deleted")
    response = client_as("cashier1").post(
        "/messageview/action_post", data={"action": "delete_selected", "rowid": [str(i) for i in ids]}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(Message).filter(Message.id.in_(ids)).count() == 0
        assert db.session.get(Message, keep) is not None


def test_actions_ignore_other_users_messages(app, client_as):
    own = _post(app, "cashier1", "own for action")
    others = [_post(app, "cashier2", "not yours") for _ in range(2)]
    cashier1 = client_as("cashier1")
    cashier1.post("/messageview/action_post",
                  data={"action": "mark_read", "rowid": [str(own), *map(str, others)]})
    assert _rows(app, id=own) == {(own, True)}
    for other in others:
        assert _rows(app, id=other) == {(other, False)}
    cashier1.post("/messageview/action_post",
                  data={"action": "delete_selected", "rowid": [*map(str, others), "999999", "junk"]})
    for other in others:
        assert _rows(app, id=other) == {(other, False)}
    # the single-row action and the delete endpoint refuse others' rows
    assert cashier1.post(f"/messageview/action/mark_read/{others[0]}").status_code == 404
    assert cashier1.post(f"/messageview/delete/{others[0]}").status_code == 404
    assert _rows(app, id=others[0]) == {(others[0], False)}
    # the owner can delete
    cashier2 = client_as("cashier2")
    assert cashier2.post(f"/messageview/delete/{others[0]}").status_code == 302
    assert _rows(app, id=others[0]) == set()


def test_no_add_or_edit_of_messages(app, client_as):
    message_id = _post(app, "cashier1", "no edit")
    cashier1 = client_as("cashier1")
    assert cashier1.get("/messageview/add").status_code == 403
    assert cashier1.get(f"/messageview/edit/{message_id}").status_code == 403
    edited = cashier1.post(f"/messageview/edit/{message_id}", data={"title": "edited"})
    assert edited.status_code == 403
    with app.app_context():
        assert db.session.get(Message, message_id).title == "no edit"


def test_notify_hq_reaches_admin_and_hq_only(app, client_as):
    with app.app_context():
        notify_hq("Points warning XYZ", "Member used many points")
        db.session.commit()
        users = app.appbuilder.sm.get_all_users()
        titles = {
            u.username
            for u in users
            if db.session.query(Message).filter_by(user_id=u.id, title="Points warning XYZ").count()
        }
        hq_roles = {"Admin", "Merchant"}
        hq_users = {u.username for u in users if u.active and {r.name for r in u.roles} & hq_roles}
    assert titles == hq_users and {"admin", "hq"} <= hq_users
    assert not titles & {"manager1", "cashier1", "guide1", "pos1", "provider1"}
    assert "Points warning XYZ" in _list_html(client_as("hq"))
    assert "Points warning XYZ" not in _list_html(client_as("manager1"))


@pytest.mark.parametrize("username", ["manager1", "cashier1", "guide1"])
def test_every_store_role_has_the_message_center(client_as, username):
    assert client_as(username).get("/messageview/list/").status_code == 200


def test_sms_outbox_is_hq_only(app, client_as):
    with app.app_context():
        db.session.add(SmsOutbox(phone="13900000001", template="t", body="outbox body 4242", status="sent"))
        db.session.commit()
    hq = client_as("hq").get("/smsoutboxview/list/")
    assert hq.status_code == 200 and "outbox body 4242" in hq.get_data(as_text=True)
    cashier = client_as("cashier1").get("/smsoutboxview/list/", follow_redirects=True)
    assert "outbox body 4242" not in cashier.get_data(as_text=True)
    assert re.search("smsoutboxview", _list_html(client_as("cashier1"))) is None
