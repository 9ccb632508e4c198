"""Member ownership (专属导购): the unclaimed pool, claim, link from WeCom, transfer, release.

The rule, everywhere: a member has at most one dedicated guide (``wecom_guide_member``,
one row per member). A member without a row, or whose row has no guide, is in the
**unclaimed pool** (待认领). Taking a member is one guarded statement -- an UPDATE of a pool
row ``WHERE staff_id IS NULL`` or the INSERT of the member's first row (primary key) --
so of two guides racing for the same member exactly one wins; the other gets
``MEMBER_ALREADY_CLAIMED``. Nothing ever takes a member from another guide except a
transfer by HQ or that guide's store manager. Every change adds an ``OwnershipEvent``
(history is never deleted, also when a guide leaves).

A member's pool is the store's: members whose home store is the guide's store, members
without a home store (mall sign-ups), and members released from the guide's store.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.actor import acting_user
from app.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.platform.audit import audit
from app.platform.staff import Staff
from app.roles import GUIDE
from app.unit_of_work import unit_of_work
from plugins.wecom_guide.models import GuideMember, OwnershipEvent


def _user_id(user=None) -> int | None:
    user = user if user is not None else acting_user()
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _event(member_id: int, action: str, from_staff_id, to_staff_id, source: str, user=None) -> None:
    db.session.add(OwnershipEvent(member_id=member_id, action=action, from_staff_id=from_staff_id,
                                  to_staff_id=to_staff_id, source=source, user_id=_user_id(user)))


def owner_of(member_id: int) -> int | None:
    """The staff id of the member's dedicated guide, or None (in the pool)."""
    return db.session.scalar(select(GuideMember.staff_id).where(GuideMember.member_id == member_id))


def is_guide_staff(staff: Staff | None) -> bool:
    """An active staff member with a store whose account holds the Guide role."""
    if staff is None or staff.status != "active" or staff.store_id is None:
        return False
    return GUIDE in {role.name for role in staff.user.roles} if staff.user is not None else False


def _take(member_id: int, staff: Staff, source: str) -> bool:
    """Make ``staff`` the member's guide if the member is in the pool (no commit): True if
    taken now, False if a guide (this one or another) holds it."""
    now = datetime.now()
    taken = db.session.execute(
        update(GuideMember)
        .where(GuideMember.member_id == member_id, GuideMember.staff_id.is_(None))
        .values(staff_id=staff.id, store_id=staff.store_id, source=source, since=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        if db.session.scalar(select(GuideMember.member_id).where(GuideMember.member_id == member_id)):
            return False  # held by a guide
        try:
            with db.session.begin_nested():  # the member's first guide: the primary key decides
                db.session.add(GuideMember(member_id=member_id, staff_id=staff.id, store_id=staff.store_id,
                                           source=source, since=now))
                db.session.flush()
        except IntegrityError:
            return False  # a concurrent claim inserted first
    row = db.session.get(GuideMember, member_id)
    if row is not None:
        db.session.refresh(row)
    return True


def link_member_to_guide(member_id: int, staff_id: int, source: str) -> bool:
    """Link the member to the guide (a WeCom customer added the guide; called by the callback).

    Idempotent: True if linked now; False if the member already has this guide, is owned
    by another guide (never stolen: a member leaves a guide only by transfer or release), or
    the member or guide does not exist / is not an active guide. Commits unless inside an
    outer unit of work, which it then joins.
    """
    staff = db.session.get(Staff, staff_id)
    if not is_guide_staff(staff) or db.session.get(Member, member_id) is None:
        return False
    with unit_of_work():
        if not _take(member_id, staff, "wecom"):
            return False
        _event(member_id, "link", None, staff.id, source)
        audit("wecom_guide.link", "member", member_id, staff_id=staff.id, source=source)
    return True


def find_member_for_contact(unionid: str | None, phone: str | None) -> Member | None:
    """The member a WeCom external contact is: by unionid (a link the ``wecom`` package recorded,
    when it keeps one) else by exact phone; None for an unknown contact."""
    if phone:
        found = db.session.scalar(select(Member).where(Member.phone == phone.strip()))
        if found is not None:
            return found
    if unionid:
        lookup = _member_by_unionid()
        if lookup is not None:
            return lookup(unionid)
    return None


def _member_by_unionid():
    """The ``wecom`` package's unionid look-up (``wecom.contacts.member_by_unionid``), if any."""
    return partner_function("contacts", "member_by_unionid")


def partner_function(module: str, name: str):
    """``plugins.wecom_guide.wecom.<module>.<name>`` when the ``wecom`` package provides it, else None
    (looked up by name: this side of the plugin works without it)."""
    import importlib

    try:
        found = importlib.import_module(f"plugins.wecom_guide.wecom.{module}")
    except ImportError:
        return None
    return getattr(found, name, None)


def claim_member(member_id: int, staff: Staff, user=None) -> None:
    """The guide claims a pool member (the caller checked the member is in their pool);
    ``MEMBER_ALREADY_CLAIMED`` when another guide got it first."""
    with unit_of_work():
        if not _take(member_id, staff, "claim"):
            raise DomainError("MEMBER_ALREADY_CLAIMED", _l("Another guide has already claimed this member."))
        _event(member_id, "claim", None, staff.id, "claim", user)
        audit("wecom_guide.claim", "member", member_id, user=user, staff_id=staff.id)


def transfer_member(member_id: int, to_staff: Staff, user=None) -> None:
    """Give the member to ``to_staff`` (HQ or a store manager; the caller checked scope)."""
    if not is_guide_staff(to_staff):
        raise DomainError("GUIDE_NOT_FOUND", _l("Choose an active guide."), field="guide")
    with unit_of_work():
        row = db.session.get(GuideMember, member_id, with_for_update=True)
        before = row.staff_id if row is not None else None
        if before == to_staff.id:
            return
        if row is None:
            db.session.add(GuideMember(member_id=member_id, staff_id=to_staff.id, store_id=to_staff.store_id,
                                       source="transfer", since=datetime.now()))
        else:
            row.staff_id, row.store_id, row.source, row.since = (to_staff.id, to_staff.store_id, "transfer",
                                                                 datetime.now())
        db.session.flush()
        _event(member_id, "transfer", before, to_staff.id, "transfer", user)
        audit("wecom_guide.transfer", "member", member_id, user=user, from_staff_id=before,
              to_staff_id=to_staff.id)


def release_member(member_id: int, user=None) -> bool:
    """Return the member to the pool (HQ or the store manager); False if already there."""
    with unit_of_work():
        row = db.session.get(GuideMember, member_id, with_for_update=True)
        if row is None or row.staff_id is None:
            return False
        before = row.staff_id
        row.staff_id, row.source, row.since = None, "admin", datetime.now()
        _event(member_id, "release", before, None, "admin", user)
        audit("wecom_guide.release", "member", member_id, user=user, from_staff_id=before)
    return True


def release_members_of(staff_id: int) -> int:
    """A guide left (``retail_staff_left``): every member of theirs goes back to the pool, with
    one history row each (set-based; no commit: runs inside the leaving transaction).
    Returns how many were released."""
    now = datetime.now()
    db.session.execute(
        insert(OwnershipEvent).from_select(
            ["member_id", "action", "from_staff_id", "to_staff_id", "source", "user_id", "created_on"],
            select(GuideMember.member_id, literal("release"), GuideMember.staff_id, literal(None),
                   literal("staff_left"), literal(_user_id()), literal(now))
            .where(GuideMember.staff_id == staff_id),
        )
    )
    released = db.session.execute(
        update(GuideMember)
        .where(GuideMember.staff_id == staff_id)
        .values(staff_id=None, source="staff_left", since=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    audit("wecom_guide.release_all", "staff", staff_id, released=released)
    return released


# ---------------------------------------------------------------- queries


def owned_member_ids(staff_id: int):
    """A subquery of the member ids ``staff_id`` is the dedicated guide of."""
    return select(GuideMember.member_id).where(GuideMember.staff_id == staff_id)


def pool_criteria(store_id: int) -> list:
    """Criteria on ``Member`` (outer-joined to ``GuideMember``) for the store's unclaimed pool."""
    return [
        GuideMember.staff_id.is_(None),
        or_(Member.home_store_id == store_id, Member.home_store_id.is_(None),
            and_(GuideMember.store_id == store_id)),
    ]


def pool_query(store_id: int):
    return select(Member).outerjoin(GuideMember, GuideMember.member_id == Member.id).where(
        *pool_criteria(store_id))
