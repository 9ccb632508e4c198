"""Plugin-level behaviour of points_mall: installed with its dependency, its tables, settings and codes."""

from app.extensions import db


def test_the_plugin_is_installed_enabled_and_depends_on_coupons(app):
    host = app.extensions["retail_plugins"]
    assert "points_mall" in host.plugins
    with app.app_context():
        assert host.is_enabled("points_mall")
    from plugins import points_mall

    assert points_mall.DEPENDS == ("coupons",)


def test_its_tables_and_setting_exist(app):
    from app.platform.settings import get_setting
    from plugins.points_mall.models import MallItem, MallMemberCount, MallOrder

    with app.app_context():
        for model in (MallItem, MallOrder, MallMemberCount):
            assert db.session.query(model).filter(model.id < 0).count() == 0
        assert get_setting("points_mall.pickup_code_digits") == 6


def test_its_error_codes_are_registered(app):
    from app.errors import error_code

    with app.app_context():
        assert error_code("MALL_OUT_OF_STOCK").statuses == (409,)
        assert error_code("MALL_CASH_MISMATCH").owner == "points_mall"


def test_demo_items_are_seeded_once(app):
    from app.demo import seed_demo
    from plugins.points_mall.demo import DEMO_PHYSICAL, DEMO_VIRTUAL
    from plugins.points_mall.models import MallItem

    with app.app_context():
        physical = db.session.query(MallItem).filter_by(name=DEMO_PHYSICAL).one()
        virtual = db.session.query(MallItem).filter_by(name=DEMO_VIRTUAL).one()
        assert physical.kind == "physical" and physical.on_shelf
        assert virtual.kind == "virtual" and virtual.coupon_rule.status == "audited"
        before = db.session.query(MallItem).count()
        seed_demo("demo1234")
        assert db.session.query(MallItem).count() == before
