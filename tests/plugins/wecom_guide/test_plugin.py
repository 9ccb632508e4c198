"""The wecom_guide plugin is installed, enabled with its dependency, and its settings exist."""

from sqlalchemy import inspect


def test_the_plugin_is_installed_off_by_default_and_needs_coupons(app):
    host = app.extensions["retail_plugins"]
    assert "wecom_guide" in host.plugins
    with app.app_context():
        assert not host.is_enabled("wecom_guide")  # off until a merchant turns it on
    assert host.plugins["wecom_guide"].depends == ("coupons",)


def test_its_tables_come_from_its_own_migration(app):
    from app.extensions import db

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"wecom_guide_member", "wecom_guide_ownership_event", "wecom_guide_activation",
            "wecom_guide_visit", "wecom_guide_task", "wecom_guide_task_assignment"} <= tables


def test_the_settings_have_their_defaults(app_ctx):
    from app.platform.settings import get_setting

    assert get_setting("wecom_guide.own_members_only") is True
    assert get_setting("wecom_guide.activation_days") == 30
    assert get_setting("wecom_guide.public_url") == ""


def test_the_demo_data_is_added_once(app_ctx):
    from plugins.wecom_guide.demo import seed_demo
    from plugins.wecom_guide.ownership import owner_of

    assert seed_demo() >= 0
    assert seed_demo() == 0
    from app.extensions import db
    from app.members.models import Member

    member = db.session.query(Member).filter_by(phone="13900000001").one()
    assert owner_of(member.id) is not None
    # the plugin's demo (the one its manifest names) includes the WeCom section's: the
    # simulator's demo corp and guide1 bound to its userid
    from app.platform.settings import get_setting
    from plugins.wecom_guide.wecom.contact_way import way_of_userid
    from plugins.wecom_guide.wecom.simulator import DEMO_CORP_ID

    assert get_setting("wecom_guide.corp_id") == DEMO_CORP_ID
    assert way_of_userid("guide1") is not None
