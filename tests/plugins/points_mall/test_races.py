"""Concurrent exchanges over HTTP (SQLite and PostgreSQL): the last unit of stock, a member's last
points from several devices, the per-member limit. Exactly the allowed number win; the rest are
refused cleanly and leave nothing behind."""

import threading

import pytest

from app.extensions import db
from tests.support.points_mall import DELIVERY, error_code, mall_kit_fixture  # noqa: F401 (fixtures)


def _race(mall_kit, calls):
    """Run ``calls`` ([(member, item_id, body)]) at once; the statuses or error codes."""
    barrier = threading.Barrier(len(calls))
    results = []

    def call(member, item_id, body):
        barrier.wait()
        response = mall_kit.exchange(member, item_id, **body)
        results.append(201 if response.status_code == 201 else error_code(response))

    workers = [threading.Thread(target=call, args=c) for c in calls]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def _orders(app, **filters):
    from plugins.points_mall.models import MallOrder

    with app.app_context():
        return db.session.query(MallOrder).filter_by(**filters).count()


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_many_members_race_for_the_last_unit_exactly_one_wins(app, mall_kit, is_postgres):
    n = 16 if is_postgres else 6
    item = mall_kit.item(source="S001", points_price=100, stock=1)
    members = [mall_kit.member(points=500) for _ in range(n)]
    results = _race(mall_kit, [(m, item, DELIVERY) for m in members])
    assert results.count(201) == 1, results
    assert set(results) - {201} <= {"MALL_OUT_OF_STOCK", "BUSY_RETRY"}
    assert mall_kit.stock(item) == 0 and _orders(app, item_id=item) == 1
    assert mall_kit.on_hand("S001", item) == 99
    assert sorted(mall_kit.points(m["id"]) for m in members) == [400] + [500] * (n - 1)


@pytest.mark.own_database
def test_one_member_on_several_devices_spends_the_last_points_once(app, mall_kit, is_postgres):
    n = 12 if is_postgres else 5
    member = mall_kit.member(points=100)
    items = [mall_kit.item("virtual", points_price=100, stock=5) for _ in range(n)]
    results = _race(mall_kit, [(member, item, {}) for item in items])
    assert results.count(201) == 1, results
    assert set(results) - {201} <= {"INSUFFICIENT_POINTS", "BUSY_RETRY"}
    assert mall_kit.points(member["id"]) == 0
    assert sum(mall_kit.stock(i) for i in items) == 5 * n - 1
    assert sum(_orders(app, item_id=i) for i in items) == 1


@pytest.mark.own_database
def test_racing_exchanges_respect_the_per_member_limit(app, mall_kit, is_postgres):
    n = 12 if is_postgres else 5
    member = mall_kit.member(points=100_000)
    item = mall_kit.item("virtual", points_price=10, stock=100, per_member_limit=2)
    results = _race(mall_kit, [(member, item, {})] * n)
    wins = results.count(201)
    assert wins == 2 if is_postgres else 1 <= wins <= 2
    assert set(results) - {201} <= {"MALL_LIMIT_REACHED", "BUSY_RETRY"}
    assert mall_kit.points(member["id"]) == 100_000 - 10 * wins
    assert mall_kit.stock(item) == 100 - wins and _orders(app, item_id=item) == wins
