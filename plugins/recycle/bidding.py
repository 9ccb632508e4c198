"""Bidding (竞价, F3.12): service providers bid on a bidding-mode trade-in until a deadline.

A bidding-mode order opens for bids (``open_bidding``: a deadline and a minimum bid);
each provider user may bid, and raise its bid, until the deadline.  The highest bid wins;
of equal bids the earliest (``sequence``) wins.  A bid at or after the deadline, below the
minimum or on a closed bidding is refused and changes nothing.

Concurrency: every accepted bid first bumps ``recycle_bidding.bid_count`` with a guarded
``UPDATE … WHERE closed_on IS NULL AND deadline > now`` and takes its ``sequence`` from it;
closing is the guarded ``UPDATE … SET closed_on WHERE closed_on IS NULL AND deadline <= now``
on the same row.  The two queue on that row (PostgreSQL row lock, SQLite's one writer), so
a bid either lands before the close (and the close counts it) or is refused; the close
happens once, and its winner is written with it: however many callers race at the
deadline, there is one winner.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, or_, select, update

from app.errors import DomainError
from app.extensions import db
from app.platform.settings import get_setting
from app.unit_of_work import unit_of_work
from plugins.recycle.models import (
    BIDDING,
    PENDING_REVIEW,
    RecycleBid,
    RecycleBidding,
    RecycleOrder,
)

MAX_BID_FEN = 10**10  # ¥100,000,000: a bid above it is a typo
MAX_MINUTES = 60 * 24 * 30
RESULTS = ("success", "fail")  # a provider's result on a closed bidding (``bid_results``)


def now() -> datetime:
    """The clock bids and deadlines are judged by (the server's local time, as every ``created_on``)."""
    return datetime.now()


def _order(order_id: int) -> RecycleOrder:
    order = db.session.get(RecycleOrder, order_id)
    if order is None:
        raise DomainError("RECYCLE_ORDER_NOT_FOUND", _l("Trade-in order not found."))
    return order


def bidding_of(order_id: int) -> RecycleBidding | None:
    return db.session.scalar(select(RecycleBidding).where(RecycleBidding.order_id == order_id))


# ---------------------------------------------------------------- opening


def open_bidding(order_id: int, actor=None, minutes: int | None = None, min_bid_fen: int | None = None
                 ) -> RecycleBidding:
    """Open a pending bidding-mode order for bids until now + ``minutes`` (setting
    ``recycle.bid_minutes``), with ``min_bid_fen`` (setting ``recycle.bid_min_yuan``); joins
    the caller's unit of work.

    A bidding that closed without any bid may be opened again (a new deadline); an open one,
    or one with a winner, is refused.
    """
    minutes = int(get_setting("recycle.bid_minutes")) if minutes is None else minutes
    min_bid_fen = int(get_setting("recycle.bid_min_yuan")) * 100 if min_bid_fen is None else min_bid_fen
    if not 1 <= minutes <= MAX_MINUTES:
        raise DomainError("RECYCLE_BID_DEADLINE_INVALID", _l("The bidding time must be 1 minute to 30 days."),
                          field="minutes")
    if not 0 < min_bid_fen <= MAX_BID_FEN:
        raise DomainError("RECYCLE_BID_AMOUNT_INVALID", _l("The amount must be more than zero yuan."),
                          field="min_bid_fen")
    with unit_of_work():
        order = _order(order_id)
        if order.mode != BIDDING:
            raise DomainError("RECYCLE_NOT_BIDDING", _l("Only a bidding-mode trade-in takes bids."))
        if order.state != PENDING_REVIEW:
            raise DomainError("RECYCLE_STATE_INVALID", _l("The trade-in order's state does not allow this."),
                              state=order.state)
        at = now()
        values = dict(deadline=at + timedelta(minutes=minutes), min_bid_fen=min_bid_fen,
                      opened_by_id=getattr(actor, "id", None), opened_on=at)
        bidding = close_if_due(order_id)
        if bidding is None:
            bidding = RecycleBidding(order_id=order_id, **values)
            db.session.add(bidding)
            db.session.flush()
            return bidding
        reopened = db.session.execute(  # closed without a bid (so without any bid at all)
            update(RecycleBidding)
            .where(RecycleBidding.id == bidding.id, RecycleBidding.closed_on.is_not(None),
                   RecycleBidding.winning_bid_id.is_(None))
            .values(closed_on=None, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if reopened != 1:
            raise DomainError("RECYCLE_BIDDING_ALREADY_OPEN",
                              _l("The trade-in is open for bids already, or has a winner."))
        db.session.refresh(bidding)
    return bidding


def open_for_new_order(order: RecycleOrder, actor=None) -> RecycleBidding | None:
    """A new bidding-mode order opens for bids with the settings' deadline and minimum (the
    order's creation calls this inside its unit of work); other modes: nothing."""
    if order.mode != BIDDING:
        return None
    return open_bidding(order.id, actor)


# ---------------------------------------------------------------- bidding


def place_bid(order_id: int, amount_fen: int, user, provider_id: int | None) -> RecycleBid:
    """The bid of ``provider_id`` (``user``'s provider: ``services.provider_id_of``) on ``order_id``;
    commits.  Refused: a user of no provider, an order not open for bids, a bid at/after the
    deadline or below the minimum."""
    if provider_id is None:
        raise DomainError("RECYCLE_NOT_PROVIDER_USER", _l("The account is not bound to a service provider."))
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or not 0 < amount_fen <= MAX_BID_FEN:
        raise DomainError("RECYCLE_BID_AMOUNT_INVALID", _l("The amount must be more than zero yuan."),
                          field="amount_fen")
    with unit_of_work():
        order = _order(order_id)
        bidding = bidding_of(order_id)
        if order.mode != BIDDING or bidding is None or order.state != PENDING_REVIEW:
            raise DomainError("RECYCLE_BIDDING_NOT_OPEN", _l("The trade-in is not open for bids."))
        if amount_fen < bidding.min_bid_fen:
            raise DomainError("RECYCLE_BID_BELOW_MINIMUM", _l("The bid is below the minimum bid."),
                              min_bid_fen=bidding.min_bid_fen, field="amount_fen")
        at = now()
        sequence = db.session.scalar(
            update(RecycleBidding)
            .where(RecycleBidding.id == bidding.id, RecycleBidding.closed_on.is_(None),
                   RecycleBidding.deadline > at, RecycleBidding.min_bid_fen <= amount_fen)
            .values(bid_count=RecycleBidding.bid_count + 1)
            .returning(RecycleBidding.bid_count)
            .execution_options(synchronize_session=False)
        )
        if sequence is None:  # no row matched: closed, or the deadline passed
            raise DomainError("RECYCLE_BID_LATE", _l("The bidding deadline has passed: no more bids."))
        bid = RecycleBid(bidding_id=bidding.id, order_id=order_id, provider_id=provider_id,
                         amount_fen=amount_fen, user_id=user.id, sequence=sequence, created_on=at)
        db.session.add(bid)
    return bid


# ---------------------------------------------------------------- closing and the winner


def _best_first(query, bid=RecycleBid):
    """Highest amount first; of equal amounts the earliest accepted (its ``sequence``)."""
    return query.order_by(bid.amount_fen.desc(), bid.sequence)


def _top_bid(bidding: RecycleBidding):
    return db.session.execute(
        _best_first(select(RecycleBid.id, RecycleBid.provider_id, RecycleBid.amount_fen)
                    .where(RecycleBid.bidding_id == bidding.id)).limit(1)
    ).first()


def close_if_due(order_id: int) -> RecycleBidding | None:
    """Close the order's bidding if its deadline has passed and record the winner, once;
    joins the caller's unit of work.  Returns the bidding row (None: the order has none)."""
    with unit_of_work():
        bidding = bidding_of(order_id)
        if bidding is None or bidding.closed_on is not None:
            return bidding
        at = now()
        closed = db.session.execute(
            update(RecycleBidding)
            .where(RecycleBidding.id == bidding.id, RecycleBidding.closed_on.is_(None),
                   RecycleBidding.deadline <= at)
            .values(closed_on=at)
            .execution_options(synchronize_session=False)
        ).rowcount
        if closed == 1:  # this caller closed it: every accepted bid is committed and seen now
            db.session.refresh(bidding)
            top = _top_bid(bidding)
            if top is not None:
                db.session.execute(
                    update(RecycleBidding).where(RecycleBidding.id == bidding.id)
                    .values(winning_bid_id=top.id, winning_provider_id=top.provider_id,
                            winning_amount_fen=top.amount_fen)
                    .execution_options(synchronize_session=False)
                )
        db.session.refresh(bidding)
        return bidding


def winning_provider_id(order_id: int) -> int | None:
    """The provider whose bid won ``order_id`` (closing the bidding if its deadline passed), or
    None: not a bidding order, bidding still open, or closed without bids."""
    bidding = bidding_of(order_id)
    if bidding is None:
        return None
    if bidding.closed_on is None:
        if bidding.deadline > now():
            return None
        bidding = close_if_due(order_id)
    return bidding.winning_provider_id


# ---------------------------------------------------------------- what providers see


def open_for_bids_filter(provider_id: int | None):
    """SQL condition on ``RecycleOrder``: the bidding-mode orders ``provider_id`` may see —
    open for bids now (pending review, before the deadline), or ones it has bid on."""
    if provider_id is None:
        return false()
    at = now()
    open_now = exists().where(RecycleBidding.order_id == RecycleOrder.id, RecycleBidding.closed_on.is_(None),
                              RecycleBidding.deadline > at)
    bid_on = exists().where(RecycleBid.order_id == RecycleOrder.id, RecycleBid.provider_id == provider_id)
    biddable = and_(RecycleOrder.state == PENDING_REVIEW, open_now)
    return and_(RecycleOrder.mode == BIDDING, or_(biddable, bid_on))


def _top_provider():
    """Correlated scalar: the provider of the best bid on the outer ``RecycleOrder``."""
    return _best_first(select(RecycleBid.provider_id).where(RecycleBid.order_id == RecycleOrder.id)
                       ).limit(1).scalar_subquery()


def bid_result_filter(provider_id: int, result: str):
    """SQL condition on ``RecycleOrder``: ``provider_id``'s bidding ``result`` — "success" (its
    bid is the best of a bidding past its deadline) or "fail" (it bid, another's is best)."""
    decided = exists().where(RecycleBidding.order_id == RecycleOrder.id,
                             or_(RecycleBidding.closed_on.is_not(None), RecycleBidding.deadline <= now()))
    bid_on = exists().where(RecycleBid.order_id == RecycleOrder.id, RecycleBid.provider_id == provider_id)
    top = _top_provider()
    won = top == provider_id if result == "success" else top != provider_id
    return and_(RecycleOrder.mode == BIDDING, bid_on, decided, won)


def bid_results(provider_id: int, order_ids) -> dict[int, str]:
    """``{order_id: "success" | "fail" | ""}`` of ``provider_id`` on these orders ("": still
    open, or never bid on).  Read only: a bidding past its deadline counts by its best bid,
    which is the winner its close records (no bid is accepted after the deadline)."""
    ids = list(order_ids)
    if not ids:
        return {}
    decided = set(db.session.scalars(select(RecycleBidding.order_id).where(
        RecycleBidding.order_id.in_(ids),
        or_(RecycleBidding.closed_on.is_not(None), RecycleBidding.deadline <= now()))))
    mine = set(db.session.scalars(select(RecycleBid.order_id).where(
        RecycleBid.order_id.in_(ids), RecycleBid.provider_id == provider_id)))
    results = dict.fromkeys(ids, "")
    for order_id in decided & mine:
        top = db.session.scalar(_best_first(select(RecycleBid.provider_id)
                                            .where(RecycleBid.order_id == order_id)).limit(1))
        results[order_id] = "success" if top == provider_id else "fail"
    return results


def bids_of(order_id: int, provider_id: int | None = None) -> list[RecycleBid]:
    """The bids on ``order_id``, best first (one provider's only, when given)."""
    bidding = bidding_of(order_id)
    if bidding is None:
        return []
    query = select(RecycleBid).where(RecycleBid.bidding_id == bidding.id)
    if provider_id is not None:
        query = query.where(RecycleBid.provider_id == provider_id)
    return list(db.session.scalars(_best_first(query)))


def best_bids(provider_id: int, order_ids) -> dict[int, int]:
    """``{order_id: amount_fen}``: ``provider_id``'s highest bid on each of these orders."""
    ids = list(order_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(RecycleBid.order_id, func.max(RecycleBid.amount_fen))
        .where(RecycleBid.order_id.in_(ids), RecycleBid.provider_id == provider_id)
        .group_by(RecycleBid.order_id)
    ).tuples().all())


def bidding_summary(bidding: RecycleBidding | None) -> dict | None:
    if bidding is None:
        return None
    at = now()
    return {
        "deadline": bidding.deadline.isoformat(timespec="seconds"),
        "min_bid_fen": bidding.min_bid_fen,
        "open": bidding.closed_on is None and bidding.deadline > at,
        "closed_on": bidding.closed_on.isoformat(timespec="seconds") if bidding.closed_on else None,
        "bid_count": bidding.bid_count,
        "winning_provider_id": bidding.winning_provider_id,
        "winning_amount_fen": bidding.winning_amount_fen,
    }
