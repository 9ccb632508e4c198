"""Org services: the single place that changes stores and staff."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm.util import identity_key

from app.extensions import db, detached_copy
from app.org.models import Store
from app.platform.audit import audit
from app.platform.caches import cached_for_config
from app.platform.staff import Staff
from app.plugins import plugin_host
from app.unit_of_work import unit_of_work


def mark_staff_left(staff: Staff, user=None) -> Staff:
    """Mark a staff member as left and tell plugins (``retail_staff_left``), atomically."""
    if staff.status == "left":
        return staff
    with unit_of_work():
        staff.status = "left"
        staff.left_on = datetime.now()
        staff.user.active = False
        audit("staff.left", "staff", staff.id, user=user)
        db.session.flush()
        plugin_host().staff_left(staff=staff)
    return staff


def _store_snapshots() -> dict:
    return {store.id: detached_copy(store) for store in db.session.scalars(select(Store))}


def store_snapshots() -> dict:
    """Every store by id as detached snapshots, kept per worker until stores change
    (``Store`` is reference data: a change bumps the configuration version).  Read-only."""
    return cached_for_config("org.stores", _store_snapshots)


def cached_store(store_id: int) -> Store | None:
    """The store as a persistent object of the request's session, without a query.

    Every POS sale needs its store (the code goes into the order number); a round
    trip per sale for it would cost as much as writing a line.
    """
    session = db.session()
    present = session.identity_map.get(identity_key(Store, store_id))
    if present is not None:
        return present
    snapshot = store_snapshots().get(store_id)
    return session.merge(snapshot, load=False) if snapshot is not None else None  # no SQL: clean
