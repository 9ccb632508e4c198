"""Roles are created and kept in sync with core and plugin grants."""

from app.extensions import db
from app.roles import PRODUCT_ROLES


def _perms(app, role_name):
    sm = app.appbuilder.sm
    role = sm.find_role(role_name)
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def test_all_product_roles_exist_with_their_grants(app_ctx):
    app = app_ctx
    for name in PRODUCT_ROLES:
        assert app.appbuilder.sm.find_role(name) is not None
    cashier = _perms(app, "Cashier")
    assert ("can_read", "Stores") in cashier
    assert ("can_write", "Stores") not in cashier
    assert ("can_write", "SampleNotes") in cashier  # plugin grant
    assert ("can_write", "Plugins") not in cashier
    assert ("can_write", "Plugins") in _perms(app, "Merchant")
    assert ("can_write", "SampleApi") in _perms(app, "POS")
    admin = _perms(app, "Admin")
    assert {("can_write", "Plugins"), ("can_write", "SampleNotes"), ("can_read", "Jobs")} <= admin


def test_sync_removes_stale_grants_and_is_repeatable(app_ctx):
    app = app_ctx
    sm = app.appbuilder.sm
    role = sm.find_role("Cashier")
    stray = sm.add_permission_view_menu("can_write", "Plugins")
    role.permissions.append(stray)
    db.session.commit()
    assert ("can_write", "Plugins") in _perms(app, "Cashier")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["sync-roles"]).exit_code == 0
    first = _perms(app, "Cashier")
    assert ("can_write", "Plugins") not in first
    runner.invoke(args=["sync-roles"])
    assert _perms(app, "Cashier") == first


def test_login_is_rate_limited(db_url):
    from tests.support.app import make_app

    limited = make_app(db_url, AUTH_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [
        client.post("/login/", data={"username": "admin", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert codes[-1] == 429
