"""Admin pages (ownership, transfer, tasks with per-guide progress, materials), the guide's
task flow on the API, and activation by the link."""

import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from tests.support.clients import login
from tests.support.members import error_code
from tests.support.wecom_guide import guides_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("guides")


def _csrf(html: str) -> str:
    """The page's CSRF token (tests run with CSRF checks off: any value passes)."""
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    return found.group(1) if found else ""


def test_hq_opens_every_page_of_the_plugin(app, guides):
    guide = guides.guide("S001")
    member = guides.member("S001", owner=guide)
    hq = login(app, "hq")
    for url in (
        "/guidememberview/list/",
        "/ownershiphistoryview/list/",
        "/taskview/list/",
        "/taskview/add",
        "/materialgroupview/list/",
        "/materialview/list/",
        "/materialview/add",
        f"/guidememberview/show/{member['id']}",
        f"/guidememberview/transfer/{member['id']}",
    ):
        page = hq.get(url, headers={"Accept-Language": "zh"})
        assert page.status_code == 200, url
    assert "专属导购" in hq.get("/guidememberview/list/").get_data(as_text=True)


def test_a_store_manager_transfers_their_stores_members_only(app, guides):
    first, second = guides.guide("S001"), guides.guide("S001")
    other_store_guide = guides.guide("S002")
    member = guides.member("S001", owner=first)
    elsewhere = guides.member("S002", owner=other_store_guide)
    manager = login(app, "manager1")
    listing = manager.get("/guidememberview/list/?psize_GuideMemberView=100").get_data(as_text=True)
    assert member["member_no"] in listing and elsewhere["member_no"] not in listing
    assert manager.get(f"/guidememberview/show/{elsewhere['id']}").status_code == 404
    assert manager.get(f"/guidememberview/transfer/{elsewhere['id']}").status_code == 404
    form = manager.get(f"/guidememberview/transfer/{member['id']}").get_data(as_text=True)
    assert f'value="{second["staff_id"]}"' in form and f'value="{other_store_guide["staff_id"]}"' not in form
    moved = manager.post(
        f"/guidememberview/transfer/{member['id']}",
        data={"guide": second["staff_id"], "csrf_token": _csrf(form)},
    )
    assert moved.status_code == 302
    assert guides.owner(member) == second["staff_id"]
    refused = manager.post(
        f"/guidememberview/transfer/{member['id']}",
        data={"guide": other_store_guide["staff_id"], "csrf_token": _csrf(form)},
    )
    assert refused.status_code == 200 and guides.owner(member) == second["staff_id"]
    assert login(app, "cashier1").get("/guidememberview/list/").status_code == 403


def test_a_task_is_assigned_forwarded_and_completed_with_counts(app, guides):
    from app.members.models import MemberTag
    from plugins.wecom_guide.models import Task, TaskAssignment

    busy, idle = guides.guide("S003"), guides.guide("S003")
    with app.app_context():
        tag = MemberTag(name=f"秋装客户{busy['staff_id']}")
        db.session.add(tag)
        db.session.commit()
        tag_id = tag.id
    members = [guides.member("S003", owner=busy) for _ in range(3)]
    guides.member("S003", owner=idle)
    api = guides.api(busy)
    for member in members[:2]:
        assert api.post(f"/members/{member['id']}/tags", json={"tag_id": tag_id}).status_code == 200
    hq = login(app, "hq")
    store_id = guides.store_id("S003")
    form = hq.get("/taskview/add").get_data(as_text=True)
    added = hq.post(
        "/taskview/add",
        data={
            "title": "秋装上新",
            "content": "新款到店，欢迎试穿",
            "store": store_id,
            "target_tag": tag_id,
            "deadline": (date.today() + timedelta(days=7)).isoformat(),
            "csrf_token": _csrf(form),
        },
    )
    assert added.status_code == 302, added.get_data(as_text=True)[:2000]
    with app.app_context():
        task = db.session.query(Task).filter_by(title="秋装上新").one()
        counts = {
            a.staff_id: a.target_count for a in db.session.query(TaskAssignment).filter_by(task_id=task.id)
        }
        task_id = task.id
    assert counts[busy["staff_id"]] == 2 and counts[idle["staff_id"]] == 0
    mine = api.get("/tasks").get_json()["result"]
    assert [(t["task_id"], t["target_count"], t["forwarded_count"]) for t in mine] == [(task_id, 2, 0)]
    assert api.post(f"/tasks/{task_id}/forward", json={}).get_json()["result"] == {"forwarded": 2}
    assert api.post(f"/tasks/{task_id}/forward", json={}).get_json()["result"] == {
        "forwarded": 2
    }  # once each
    assert api.post(f"/tasks/{task_id}/done", json={}).status_code == 200
    stranger = guides.api(guides.guide("S001"))
    assert stranger.post(f"/tasks/{task_id}/done", json={}).status_code == 404
    page = hq.get(f"/taskview/show/{task_id}").get_data(as_text=True)
    progress = page[page.index('id="section-progress"') :]
    assert re.search(r"<td>2</td>\s*<td>1</td>\s*<td>50.0%</td>\s*<td>2</td>\s*<td>2</td>", progress), (
        progress[:600]
    )
    hq.post("/taskview/action_post", data={"action": "close", "rowid": task_id, "csrf_token": _csrf(page)})
    closed = api.post(f"/tasks/{task_id}/forward", json={})
    assert closed.status_code == 409 and error_code(closed) == "TASK_CLOSED"
    assert api.get("/tasks").get_json()["result"] == []


def test_a_task_for_a_store_without_guides_is_refused_on_the_form(app, guides):
    from app.org.models import Store

    with app.app_context():
        empty = Store(code=f"SX{guides.guide('S001')['staff_id']}", name="空店")
        db.session.add(empty)
        db.session.commit()
        empty_id = empty.id
    hq = login(app, "hq")
    form = hq.get("/taskview/add").get_data(as_text=True)
    answer = hq.post(
        "/taskview/add", data={"title": "无人", "content": "x", "store": empty_id, "csrf_token": _csrf(form)}
    )
    assert answer.status_code == 200 and "没有在职导购" in answer.get_data(as_text=True)


def test_materials_are_listed_and_forwards_counted(app, guides):
    from plugins.wecom_guide.models import Material, MaterialGroup

    with app.app_context():
        group = MaterialGroup(name=f"新品{guides.guide('S001')['staff_id']}")
        db.session.add(group)
        db.session.flush()
        item = Material(
            group_id=group.id, kind="link", title="秋装", body="新款到店", url="https://example.com/a"
        )
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    api = guides.api(guides.guide("S001"))
    library = api.get("/materials").get_json()["result"]
    assert any(i["id"] == item_id for g in library for i in g["items"])
    assert api.post(f"/materials/{item_id}/forward", json={}).get_json()["result"] == {"forwarded": 1}
    assert api.post("/materials/999999999/forward", json={}).status_code == 404


def test_the_activation_link_activates_once(app, guides):
    from app.members.models import Member
    from plugins.wecom_guide.activation import activation_url
    from plugins.wecom_guide.models import Activation

    member = guides.member("S001")
    with app.test_request_context("/"):
        url = activation_url(db.session.get(Member, member["id"]))
    assert url.startswith("http://localhost/wecom-guide/activate/")
    path = url.removeprefix("http://localhost")
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and member["member_no"] in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Member, member["id"]).status == "inactive"  # opening it changes nothing
    done = visitor.post(path, data={"csrf_token": _csrf(page.get_data(as_text=True))})
    assert done.status_code == 200 and 'id="activation-done"' in done.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(Member, member["id"])
        assert row.status == "active" and row.activated_on is not None
        assert db.session.query(Activation).filter_by(member_id=member["id"]).one().method == "link"
    assert visitor.get(path[:-3] + "xyz").status_code == 404  # tampered
    assert visitor.get("/wecom-guide/activate/nonsense").status_code == 404
    guides.settings(public_url="https://shop.example.com/")
    with app.test_request_context("/"):
        assert activation_url(db.session.get(Member, member["id"])).startswith(
            "https://shop.example.com/wecom-guide/activate/"
        )
