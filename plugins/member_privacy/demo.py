"""Demo share group: the two Shanghai direct stores share their members (idempotent)."""

from __future__ import annotations

from app.extensions import db
from app.org.models import Store
from plugins.member_privacy.models import ShareGroup
from plugins.member_privacy.services import groups_changed, stores_in_other_groups

DEMO_GROUP = "华东直营 East China direct"
DEMO_STORES = ("S001", "S002")


def seed_share_groups() -> None:
    if db.session.query(ShareGroup).filter_by(name=DEMO_GROUP).one_or_none() is not None:
        return
    stores = db.session.query(Store).filter(Store.code.in_(DEMO_STORES)).all()
    if len(stores) != len(DEMO_STORES) or stores_in_other_groups([s.id for s in stores], None):
        return  # demo stores missing, or already grouped by hand
    db.session.add(ShareGroup(name=DEMO_GROUP, note="", stores=stores))
    groups_changed()  # commits
