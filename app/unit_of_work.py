"""One unit of work: everything a service writes is committed together, or nothing is.

    with unit_of_work():
        ...  # flushes, Core statements, other services

commits when the block ends and rolls back (and re-raises) when it raises.  A
``unit_of_work()`` opened inside another one joins it: it neither commits nor rolls
back, so a service that is one step of a bigger one (a coupon redeemed inside a
sale, a stock move inside a posting) writes only when the outermost unit ends, and
a failing later step leaves nothing of the earlier ones written.

It costs no SQL of its own: the commit is the one the service would issue anyway
(the sale hot path's statement counts are pinned by ``tests/core/test_hot_path.py``).
Code outside a unit does not commit or roll back the session itself
(``tests/core/test_domain_errors.py`` greps for it, with a short allow-list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session

from app.extensions import db

_OPEN = "retail_unit_of_work"  # key in ``Session.info`` while the outermost unit is open


def in_unit_of_work() -> bool:
    return bool(db.session().info.get(_OPEN))


@contextmanager
def unit_of_work(keep_state: bool = False) -> Iterator[None]:
    """Commit on success, roll back and re-raise on error; nested use joins the outer unit.

    ``keep_state``: commit without expiring the session's objects, for a caller that renders
    what it has just written (the POS sale answer) without reloading it row by row.
    """
    session = db.session()
    if session.info.get(_OPEN):
        yield  # joined: the outermost unit commits or rolls back
        return
    session.info[_OPEN] = True
    try:
        yield
        if keep_state:
            session.expire_on_commit = False
            try:
                session.commit()
            finally:
                session.expire_on_commit = True
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_OPEN, None)


def in_fresh_session(work: Callable[[Session], None], what: str) -> None:
    """``work(session)`` in a session of its own, committed at once, whatever becomes of the
    current transaction: a record that must survive the caller's rollback (an external call
    made, a token fetched).  A failure is logged with ``what`` (e.g. "wecom call record"),
    never raised: the caller's own work goes on."""
    fresh = Session(bind=db.engine)
    try:
        work(fresh)
        fresh.commit()
    except Exception:
        fresh.rollback()
        current_app.logger.exception("%s: write failed", what)
    finally:
        fresh.close()
