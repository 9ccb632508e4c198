"""Meta-tests of the plugin contract (datasette style) and the runtime hooks."""

import inspect
from pathlib import Path

import pytest
import retail_test_plugin
from retail_test_plugin import addon

from app import hookspecs
from app.extensions import db
from app.org.services import mark_staff_left
from app.platform.staff import Staff

SPECS = sorted(name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
               if name.startswith("retail_"))


def test_every_hook_is_documented_and_exercised_by_the_test_plugin():
    from app.manifest import manifest_hooks

    declared = manifest_hooks(retail_test_plugin)  # hooks its manifest attributes stand for
    docs = (Path(__file__).resolve().parents[2] / "docs" / "plugin_hooks.md").read_text()
    for name in SPECS:
        assert f"## {name}" in docs, f"{name} is not documented"
        assert getattr(hookspecs, name).__doc__, f"{name} has no docstring"
        assert hasattr(retail_test_plugin, name) or hasattr(declared, name), (
            f"the test plugin does not implement {name}"
        )


def test_every_hook_is_typed_and_has_one_typed_method_on_the_host():
    """tox's style: ``PluginHost`` has one annotated method per hook, and that method is the
    only place the hook is called."""
    from app.plugins import PluginHost

    for name in SPECS:
        signature = inspect.signature(getattr(hookspecs, name))
        assert signature.return_annotation is not inspect.Signature.empty, f"{name} has no return type"
        for parameter in signature.parameters.values():
            assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name}) untyped"
        call = ".".join(("pm", "hook", name))  # as PluginHost's methods spell it
        callers = [
            method for method, function in inspect.getmembers(PluginHost, inspect.isfunction)
            if f"{call})" in inspect.getsource(function) or f"{call}," in inspect.getsource(function)
        ]
        assert len(callers) == 1, f"{name} is called by {callers}"
        assert inspect.signature(getattr(PluginHost, callers[0])).return_annotation is not (
            inspect.Signature.empty
        ), f"PluginHost.{callers[0]} has no return type"


def test_member_hooks_are_called_through_the_facade(app_ctx):
    host = app_ctx.extensions["retail_plugins"]
    filters = host.member_filters(viewer=None, context={"purpose": "list"})
    assert len(filters) == 1
    data = {"phone": "13800001234"}
    host.present_member(data=data, member=None, viewer=None, context={})
    assert data["phone"] == "138****1234"
    refused = host.member_usable(member=None, store_id=3, purpose="points")
    assert refused.code == "SAMPLE_REFUSED" and refused.status == 403  # registered by its manifest
    assert host.member_usable(member=None, store_id=1, purpose="points") is None
    assert "sample_tender" in host.payment_methods()


def test_event_hooks_reach_enabled_plugins(app_ctx):
    host = app_ctx.extensions["retail_plugins"]
    retail_test_plugin.CALLS.clear()
    host.order_paid(order="SO9")
    host.order_returned(order="SO9", return_doc="RT9")
    host.member_created(member="M9")
    assert retail_test_plugin.CALLS == [
        ("retail_order_paid", "SO9"), ("retail_order_returned", "RT9"), ("retail_member_created", "M9"),
    ]


def test_check_sale_lets_an_enabled_plugin_refuse_a_sale(app_ctx):
    from app.errors import DomainError

    host = app_ctx.extensions["retail_plugins"]
    retail_test_plugin.CALLS.clear()
    assert host.check_sale(store_id=1, staff_id=7, member="M9") is None
    with pytest.raises(DomainError) as refused:
        host.check_sale(store_id=0, staff_id=None, member=None)
    assert refused.value.code == "SAMPLE_REFUSED" and refused.value.status == 403
    assert retail_test_plugin.CALLS == [
        ("retail_check_sale", 1, 7, "M9"), ("retail_check_sale", 0, None, None),
    ]


def test_staff_left_fires_the_event_and_deactivates_login(app, client_as):
    sm_user = None
    with app.app_context():
        sm = app.appbuilder.sm
        sm_user = sm.add_user("leaver", "Leaver", "", "leaver@demo.local", sm.find_role("Guide"),
                              password="demo1234")
        store = db.session.query(Staff).filter_by(employee_no="E0103").one().store_id
        db.session.add(Staff(user_id=sm_user.id, store_id=store, employee_no="E0999", name="Leaver"))
        db.session.commit()
    retail_test_plugin.CALLS.clear()
    manager = client_as("manager1")
    with app.app_context():
        staff_id = db.session.query(Staff).filter_by(employee_no="E0999").one().id
    response = manager.post("/staffview/action_post", data={"action": "mark_left", "rowid": [staff_id]})
    assert response.status_code == 302
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        assert staff.status == "left" and staff.left_on is not None
        assert not staff.user.active
    assert ("retail_staff_left", "E0999") in retail_test_plugin.CALLS
    assert ("addon.retail_staff_left", "E0999") in retail_test_plugin.CALLS
    assert addon.NAME == "sample_addon"


def test_a_failing_subscriber_rolls_the_change_back(app_ctx, monkeypatch):
    staff = db.session.query(Staff).filter_by(employee_no="E0201").one()

    from app.hookspecs import hookimpl

    @hookimpl
    def boom(staff):
        raise RuntimeError("subscriber failed")

    monkeypatch.setattr(addon, "retail_staff_left", boom)
    host = app_ctx.extensions["retail_plugins"]
    host._subset_callers.clear()
    host.pm.unregister(addon)
    host.pm.register(addon, name="sample_addon")
    try:
        import pytest

        with pytest.raises(RuntimeError):
            mark_staff_left(staff)
        db.session.expire_all()
        assert db.session.get(Staff, staff.id).status == "active"
    finally:
        monkeypatch.undo()
        host.pm.unregister(addon)
        host.pm.register(addon, name="sample_addon")
        host._subset_callers.clear()


def test_mall_store_filters_narrow_the_mall_store_list(app):
    from app.mall.services import issue_member_token
    from app.members.models import Member

    with app.app_context():
        member = db.session.query(Member).filter_by(phone="13900000001").one()
        token = issue_member_token(member)
        member_id = member.id
    retail_test_plugin.CALLS.clear()
    response = app.test_client().get("/api/v1/mall/stores", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [s["code"] for s in response.get_json()["result"]] == ["S001", "S002"]  # S003 filtered out
    assert ("retail_mall_store_filters", member_id) in retail_test_plugin.CALLS
    assert app.test_client().get("/api/v1/mall/stores").status_code == 401
