"""The demo (seeded for every test session, as ``python3 dev.py run`` seeds it): trade-ins in
every mode and state, made through the services, shown on the pages."""

from __future__ import annotations

from app.extensions import db


def _demo_orders(app) -> dict[str, tuple[str, str]]:
    from plugins.recycle.demo import DEMO_REMARK
    from plugins.recycle.models import RecycleOrder

    with app.app_context():
        rows = db.session.query(RecycleOrder).filter_by(remark=DEMO_REMARK).order_by(RecycleOrder.id)
        return {order.order_no: (order.mode, order.state) for order in rows}


def test_the_demo_has_trade_ins_in_every_mode_and_state(app):
    shown = sorted(_demo_orders(app).values())
    assert shown == [
        ("bidding", "pending_review"),
        ("data_authorized", "cancelled"),
        ("full_package", "completed"),
        ("half_package", "paid"),
        ("self_operated", "pending_review"),
        ("self_operated", "quoted"),
    ]


def test_the_demo_went_through_the_services(app):
    from plugins.recycle.demo import DEMO_REMARK
    from plugins.recycle.models import (
        RecycleBid,
        RecycleBidding,
        RecycleOrder,
        RecyclePhoto,
        RecycleQuote,
        RecycleSettlement,
        RecycleTransition,
    )

    with app.app_context():
        orders = db.session.query(RecycleOrder).filter_by(remark=DEMO_REMARK).all()
        ids = [o.id for o in orders]
        by_mode = {o.mode: o for o in orders if o.mode != "self_operated"}
        assert db.session.query(RecyclePhoto).filter(RecyclePhoto.order_id.in_(ids)).count() == len(ids)
        assert all(o.order_no.startswith("HS") for o in orders)
        created = db.session.query(RecycleTransition).filter(RecycleTransition.order_id.in_(ids),
                                                              RecycleTransition.from_state.is_(None))
        assert created.count() == len(ids)
        assert db.session.query(RecycleQuote).filter(RecycleQuote.order_id.in_(ids)).count() == 3
        bid_on = by_mode["bidding"].id
        assert db.session.query(RecycleBidding).filter_by(order_id=bid_on).count() == 1
        assert db.session.query(RecycleBid).filter_by(order_id=bid_on).count() == 1
        settled = {s.order.mode: (s.method, s.status) for s in db.session.query(RecycleSettlement)
                   .filter(RecycleSettlement.order_id.in_(ids))}
        assert settled == {"self_operated": ("payment_code", "pending"),
                           "half_package": ("purchase_credit", "paid"),
                           "full_package": ("purchase_credit", "paid")}


def test_hq_sees_the_demo_trade_ins_on_the_list(app, client_as):
    page = client_as("hq").get("/recycleorderview/list/?psize_RecycleOrderView=100").get_data(as_text=True)
    assert all(order_no in page for order_no in _demo_orders(app))
