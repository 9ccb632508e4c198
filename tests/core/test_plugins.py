"""Plugin host: discovery through entry points, toggles across processes, dependencies."""

import pytest

from app.extensions import db
from app.platform.models import AuditLog
from app.plugins import PluginError, PluginHost
from tests.support.app import make_app
from tests.support.clients import login


def test_plugins_are_discovered_through_entry_points(app):
    host = app.extensions["retail_plugins"]
    assert {"sample", "sample_addon"} <= set(host.plugins)
    sample = host.plugins["sample"]
    assert sample.version == "1.2.3"
    assert sample.distribution == "retail-test-plugin"
    assert host.plugins["sample_addon"].depends == ("sample",)


def test_plugins_page_lists_metadata_for_hq_only(app, client_as):
    page = client_as("hq").get("/plugins/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1.2.3" in html and "sample_addon" in html and "retail_staff_left" in html
    for username in ("cashier1", "manager1", "pos1"):
        denied = client_as(username).get("/plugins/")
        assert denied.status_code == 403  # FAB refuses a signed-in user without access
        assert "sample_addon" not in denied.get_data(as_text=True)
        toggled = client_as(username).post("/plugins/sample/toggle", data={"enabled": "0"})
        assert toggled.status_code == 403
    with app.app_context():
        assert app.extensions["retail_plugins"].is_enabled("sample")


def _toggle(client, name, enabled):
    return client.post(f"/plugins/{name}/toggle", data={"enabled": "1" if enabled else "0"},
                       follow_redirects=True)


def test_disabling_a_needed_plugin_is_refused(app, admin_client, restore_plugins):
    page = _toggle(admin_client, "sample", False)
    assert "无法停用 示例插件：示例附加插件 依赖于它。" in page.get_data(as_text=True)  # the flashed refusal
    with app.app_context():
        assert app.extensions["retail_plugins"].is_enabled("sample")
    _toggle(admin_client, "sample_addon", False)
    page = _toggle(admin_client, "sample", False)
    with app.app_context():
        host = app.extensions["retail_plugins"]
        assert not host.is_enabled("sample")
        # enabling the add-on while its dependency is off is refused too
        from app.plugins import PluginToggleRefused

        with pytest.raises(PluginToggleRefused):
            host.set_enabled("sample_addon", True)


def test_toggle_takes_effect_in_another_app_instance(app, db_url, admin_client, restore_plugins):
    other = make_app(db_url)  # a second worker process sharing the database
    cashier = login(other, "cashier1")
    assert cashier.get("/samplenoteview/list/").status_code == 200
    assert "/samplenoteview/list/" in cashier.get("/").get_data(as_text=True)

    _toggle(admin_client, "sample_addon", False)
    _toggle(admin_client, "sample", False)

    assert cashier.get("/samplenoteview/list/").status_code == 404
    assert "/samplenoteview/list/" not in cashier.get("/").get_data(as_text=True)
    token = other.test_client().post(
        "/api/v1/security/login",
        json={"username": "pos1", "password": "demo1234", "provider": "db"},
    ).get_json()["access_token"]
    api = other.test_client().get("/api/v1/sample/notes", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "NOT_FOUND"

    import retail_test_plugin

    with other.app_context():
        retail_test_plugin.CALLS.clear()
        other.extensions["retail_plugins"].order_paid(order="SO1")
        assert retail_test_plugin.CALLS == []

    _toggle(admin_client, "sample", True)
    assert cashier.get("/samplenoteview/list/").status_code == 200
    with other.app_context():
        other.extensions["retail_plugins"].order_paid(order="SO2")
        assert ("retail_order_paid", "SO2") in retail_test_plugin.CALLS

    with app.app_context():
        actions = [a for (a,) in db.session.query(AuditLog.action).filter_by(object_id="sample")]
        assert "plugin.disable" in actions and "plugin.enable" in actions


def test_plugin_tables_must_carry_the_plugin_prefix(app):
    import types

    from app.hookspecs import hookimpl

    class BadModel:
        __tablename__ = "notes"

    module = types.ModuleType("bad_plugin")
    module.NAME = "bad"
    module.retail_register_models = hookimpl(lambda: [BadModel])
    host = PluginHost()
    host.register(module)
    with pytest.raises(PluginError):
        host.models()
    with pytest.raises(PluginError):
        host.register(module)  # duplicate name


def test_cli_lists_and_toggles_plugins(app, restore_plugins):
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["plugins", "list"])
    assert "sample 1.2.3 [enabled]" in listing.output
    refused = runner.invoke(args=["plugins", "disable", "sample"])
    assert refused.exit_code != 0
    assert runner.invoke(args=["plugins", "disable", "sample_addon"]).exit_code == 0
    assert runner.invoke(args=["sample-hello"]).output.strip() == "hello from sample"


CORE_DOMAINS = {"catalog", "dashboard", "docnumbers", "inventory", "loyalty", "mall", "members", "messages",
                "org", "platform", "sales", "system"}


def test_core_domains_are_default_plugins_always_on(app, restore_plugins):
    host = app.extensions["retail_plugins"]
    assert set(host.domains()) == CORE_DOMAINS
    assert list(host.packages)[: len(CORE_DOMAINS)] == list(host.domains())  # registered first
    assert not CORE_DOMAINS & set(host.plugins)  # not togglable: not on the plugins page or CLI
    for name in CORE_DOMAINS:
        assert host.pm.get_plugin(name) is host.packages[name].module  # the same manager as plugins
    with app.app_context():
        from app.plugins import PluginToggleRefused

        with pytest.raises(PluginToggleRefused):
            host.set_enabled("sales", False)
        assert all(host.is_enabled(name) for name in CORE_DOMAINS)
    listing = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert "catalog" not in listing and "sample 1.2.3" in listing
    # core tenders come through the same hook as plugin tenders
    assert host.tenders()["cash"][0] == "sales" and host.tenders()["sample_tender"][0] == "sample"


def test_every_package_has_one_manifest_of_the_same_shape(app):
    """A core domain and a plugin: the same metadata, the same declared attributes for what
    needs no code (app.manifest), every module of the package declared, nothing listed elsewhere."""
    from pathlib import Path

    from app.manifest import DECLARATIVE, METADATA, as_list, resolve

    host = app.extensions["retail_plugins"]
    merged = {}
    for name, info in host.packages.items():
        module, directory = info.module, Path(info.module.__file__).parent
        for attribute in (*METADATA, "GRANTS"):
            assert hasattr(module, attribute), f"{name} has no {attribute}"
        written = [hook for hook in DECLARATIVE.values() if hasattr(module, hook)]
        assert not written, f"{name} writes {written} by hand: declare them instead"
        if not hasattr(module, "__path__"):
            continue  # a plugin that is one module (the sample add-on): no files to declare
        if (directory / "models.py").is_file():
            assert f"{module.__name__}.models" in as_list(module.MODELS), name
        if (directory / "demo.py").is_file():
            assert module.DEMO.startswith(f"{module.__name__}.demo:") and resolve(module.DEMO), name
        if (directory / "jobs.py").is_file() and not info.core:  # app/platform/jobs.py runs them
            assert all(ref.startswith(f"{module.__name__}.jobs:") for ref in module.JOBS.values()), name
        if (directory / "commands.py").is_file():
            assert all(resolve(ref) for ref in module.COMMANDS), name
        if (directory / "migrations" / "versions").is_dir():
            assert module.MIGRATIONS == "migrations/versions", name
        for role, pairs in module.GRANTS.items():
            merged.setdefault(role, set()).update(pairs)
    # grants live in one place per package: the roles get exactly the manifests' GRANTS
    assert {role: set(pairs) for role, pairs in host.role_grants().items()} == merged
    root = Path(__file__).resolve().parents[2]
    assert not list(root.glob("app/*/setup.py")) + list(root.glob("plugins/*/setup.py"))
    app_dir = root / "app"
    packages = {p.name for p in app_dir.iterdir() if (p / "__init__.py").is_file()} - {"migrations"}
    assert packages == set(host.domains())  # every domain package registers through its manifest
    factory = (app_dir / "__init__.py").read_text(encoding="utf-8")
    # no hand list of core models: each manifest registers its own
    assert "import app." not in factory and ".models import" not in factory


def test_registration_hooks_go_through_pluggy(app):
    """Hook tracing (RETAIL_TRACE_HOOKS) sees start-up hooks too, one call per package."""
    host = PluginHost()
    host.discover()
    seen = []
    undo = host.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: seen.append((name, tuple(host.pm.get_name(i.plugin) for i in impls))),
        lambda outcome, name, impls, kwargs: None,
    )
    try:
        host.role_grants()
        host.models()
    finally:
        undo()
    # declared GRANTS/MODELS: a generated hook object registered beside the manifest
    assert ("retail_role_grants", ("catalog.manifest",)) in seen
    assert ("retail_role_grants", ("sample.manifest",)) in seen
    assert ("retail_register_models", ("sales.manifest",)) in seen


def test_a_package_lists_its_view_on_another_packages_detail_page(app, client_as):
    """ViewSpec.related_to: the loyalty domain's ledgers show under a member, while the members
    domain imports nothing of loyalty."""
    from app.members.models import Member

    member_view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "MemberView")
    assert [type(v).__name__ for v in member_view.get_init_inner_views()] == [
        "StoredValueLedgerView", "PointsLedgerView",
    ]
    with app.app_context():
        member_id = db.session.query(Member).filter_by(phone="13900000001").one().id
    page = client_as("hq").get(f"/memberview/show/{member_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # the ledger rows of this member, listed below the member (links carry the relation filter)
    assert "/storedvalueledgerview/show/" in html and f"_flt_0_member={member_id}" in html
    assert html.count("储值流水") == 2  # the menu entry and the related list's title
