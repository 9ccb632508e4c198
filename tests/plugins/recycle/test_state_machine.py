"""The trade-in state machine (``services.transition``): allowed moves, refusals out of order,
every move recorded with who and when."""

from __future__ import annotations

import pytest

from app.errors import DomainError
from app.extensions import db
from tests.support.recycle import make_order


def test_order_goes_through_its_states_and_each_move_is_recorded(app_ctx):
    from flask_appbuilder.security.sqla.models import User

    from plugins.recycle.models import RecycleTransition
    from plugins.recycle.services import transition

    admin = db.session.query(User).filter_by(username="admin").one()
    order = make_order(app_ctx)
    moved = transition(order.id, "quoted", admin, quote_fen=12300)
    assert (moved.state, moved.quote_fen) == ("quoted", 12300)
    assert transition(order.id, "paid", None).paid_at is not None
    assert transition(order.id, "completed", admin).completed_at is not None
    rows = db.session.query(RecycleTransition).filter_by(order_id=order.id).order_by(RecycleTransition.id)
    assert [(r.from_state, r.to_state, r.user_id) for r in rows] == [
        ("pending_review", "quoted", admin.id),
        ("quoted", "paid", None),
        ("paid", "completed", admin.id),
    ]
    assert all(r.created_on is not None for r in rows)


@pytest.mark.parametrize("to", ["paid", "completed", "pending_review"])
def test_out_of_order_moves_are_refused_and_change_nothing(app_ctx, to):
    from plugins.recycle.models import RecycleTransition
    from plugins.recycle.services import transition

    order = make_order(app_ctx)
    with pytest.raises(DomainError) as refused:
        transition(order.id, to, None)
    assert (refused.value.code, refused.value.status, refused.value.details) == (
        "RECYCLE_STATE_INVALID",
        409,
        {"state": "pending_review"},
    )
    db.session.expire_all()
    assert order.state == "pending_review"
    assert db.session.query(RecycleTransition).filter_by(order_id=order.id).count() == 0


def test_cancelled_is_final_and_an_unknown_order_is_not_found(app_ctx):
    from plugins.recycle.services import transition

    order = make_order(app_ctx)
    assert transition(order.id, "cancelled", None).cancelled_at is not None
    for to in ("quoted", "cancelled"):
        with pytest.raises(DomainError) as refused:
            transition(order.id, to, None)
        assert refused.value.code == "RECYCLE_STATE_INVALID"
    with pytest.raises(DomainError) as missing:
        transition(10**9, "quoted", None)
    assert (missing.value.code, missing.value.status) == ("RECYCLE_ORDER_NOT_FOUND", 404)
