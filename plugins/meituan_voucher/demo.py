"""Demo data of the Meituan voucher plugin (its manifest's ``DEMO``; idempotent)."""

from __future__ import annotations

from app.extensions import db
from app.unit_of_work import unit_of_work

DEMO_BINDINGS = (("S001", "MT-SHOP-S001", "木棉道旗舰店(美团)"), ("S002", "MT-SHOP-S002", "木棉道二店(美团)"))


def seed_demo() -> None:
    """Bind demo stores to simulator shops, point settings at the simulator, map demo deals."""
    with unit_of_work():
        _bind_shops()
        _point_at_simulator()
        _map_deals()


def _bind_shops() -> None:
    from app.org.models import Store
    from plugins.meituan_voucher.models import ShopBinding

    for code, shop, name in DEMO_BINDINGS:
        store = db.session.query(Store).filter_by(code=code).one_or_none()
        if store is not None and db.session.query(ShopBinding).filter_by(store_id=store.id).first() is None:
            db.session.add(ShopBinding(store_id=store.id, open_shop_uuid=shop, shop_name=name))


def _point_at_simulator() -> None:
    from app.platform.caches import bump_config_version
    from app.platform.models import Setting
    from plugins.meituan_voucher import simulator

    added_settings = False
    for key, value in (
        ("developer_id", simulator.DEMO_DEVELOPER_ID),
        ("sign_key", simulator.DEMO_SIGN_KEY),
        ("app_auth_token", simulator.DEMO_TOKEN),
        ("refresh_token", simulator.DEMO_REFRESH),
    ):
        if db.session.get(Setting, f"meituan_voucher.{key}") is None:
            db.session.add(Setting(key=f"meituan_voucher.{key}", value=value))
            added_settings = True
    if added_settings:
        bump_config_version()  # running workers cache settings per configuration version


def _map_deals() -> None:
    from app.catalog.models import Sku
    from plugins.meituan_voucher.models import DealMapping

    if db.session.query(DealMapping).filter_by(deal_id="D200").first() is None:
        db.session.add(DealMapping(deal_id="D200", title="50元代金券", mode="tender", amount_fen=5000, qty=1))
    tee = db.session.query(Sku).filter_by(sku_code="P1001-02").one_or_none()
    if tee is not None and db.session.query(DealMapping).filter_by(deal_id="D100").first() is None:
        db.session.add(
            DealMapping(deal_id="D100", title="纯棉T恤团购券", mode="product", sku_id=tee.id, qty=1)
        )
