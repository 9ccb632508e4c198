"""Who sees which member, masked how, and where a member may use their benefits.

All rules live here; the core only calls the hooks (see ``__init__.py``).

* HQ roles (scope None) see everything unmasked; the member's own mall view is
  never masked.
* Store staff: without ``other_store_may_view`` only members of their home
  store; without ``other_staff_may_view`` only members they developed; with
  ``isolation`` only members whose home store is in their store's share group
  (a store in no group forms a group of its own; members without a home store,
  e.g. registered in the mall, belong to every group).
* With ``mask_on_pos`` on, store staff see names and phones masked everywhere: the POS
  API, the admin's member list, detail and edit pages, exports, and the member shown on
  orders, ledgers and coupons (every surface goes through ``retail_present_member``).
* With isolation, an exact 11-digit phone look-up at the POS (purpose "api")
  still finds a member of another group: masked, ``available: false``, with a
  notice; their benefits are refused there (``MEMBER_NOT_IN_GROUP``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select

from app.errors import DomainError
from app.extensions import db
from app.hookspecs import MemberSegment
from app.masking import mask_name, mask_phone
from app.members.models import Member
from app.members.services import escape_like
from app.org.models import Store
from app.platform.caches import bump_config_version, cached_for_config, forget_config_version
from app.security import NO_STORE, current_staff, scoped_store_id
from app.unit_of_work import unit_of_work
from plugins.member_privacy.models import ShareGroup, group_store
from plugins.member_privacy.settings import Policy, policy


def masks_store_staff(rules: Policy | None = None) -> bool:
    """With masking on, store roles see masked names and phones on every surface: the POS
    API and the admin alike (lists, detail and edit pages, exports, orders, ledgers)."""
    return (rules or policy()).mask_on_pos


# ---------------------------------------------------------------- masking


def mask_data(data: dict) -> None:
    if "phone" in data:
        data["phone"] = mask_phone(data["phone"])
    if "name" in data:
        data["name"] = mask_name(data["name"])


# ---------------------------------------------------------------- share groups


def _load_groups() -> dict[int, tuple[int, ...]]:
    """``{store id: the store ids of its share group}`` for every grouped store (one query)."""
    members: dict[int, list[int]] = {}
    rows = db.session.execute(select(group_store.c.store_id, group_store.c.group_id)).all()
    for store_id, group_id in rows:
        members.setdefault(group_id, []).append(store_id)
    return {store_id: tuple(sorted(members[group_id])) for store_id, group_id in rows}


def group_store_ids(store_id: int) -> tuple[int, ...]:
    """Stores sharing members with ``store_id``: its group's stores, or itself alone."""
    return cached_for_config("member_privacy.groups", _load_groups).get(store_id, (store_id,))


def groups_changed() -> None:
    """After share groups were saved: bump the configuration version so workers reload them."""
    with unit_of_work():
        bump_config_version()
    forget_config_version()


def in_share_group(member: Member, store_id: int | None) -> bool:
    """May ``member`` be used at ``store_id`` under isolation? (HQ: store_id None → yes)."""
    if store_id is None or member.home_store_id is None:
        return True
    return member.home_store_id in group_store_ids(store_id)


def share_group_segments() -> list[MemberSegment]:
    """One member segment per share group (``share_group:<id>``): the members whose home
    store is one of the group's stores.  Members without a home store (registered in the
    mall) belong to no segment: a reset or task aimed at a group leaves them alone."""
    groups = db.session.scalars(select(ShareGroup).order_by(ShareGroup.name)).all()
    store_ids: dict[int, list[int]] = {}
    for store_id, group_id in db.session.execute(select(group_store.c.store_id, group_store.c.group_id)):
        store_ids.setdefault(group_id, []).append(store_id)
    return [
        MemberSegment(f"share_group:{group.id}", _l("Share group %(name)s", name=group.name),
                      Member.home_store_id.in_(sorted(store_ids.get(group.id, ()))))
        for group in groups
    ]


def mall_stores_criteria(member: Member) -> list:
    """With isolation on, the mall shows a member only the stores of their group."""
    if not policy().isolation or member is None or member.home_store_id is None:
        return []
    return [Store.id.in_(group_store_ids(member.home_store_id))]


def stores_in_other_groups(store_ids, group_id: int | None) -> list[Store]:
    """Stores of ``store_ids`` already in a group other than ``group_id``."""
    if not store_ids:
        return []
    query = (
        select(Store)
        .join(group_store, group_store.c.store_id == Store.id)
        .where(Store.id.in_(store_ids))
        .order_by(Store.code)
    )
    if group_id is not None:
        query = query.where(group_store.c.group_id != group_id)
    return list(db.session.scalars(query).all())


def check_group_stores(group: ShareGroup) -> None:
    """Refuse a group holding a store of another group (the link table's key refuses it too)."""
    taken = stores_in_other_groups([s.id for s in group.stores], group.id)
    if taken:
        raise ShareGroupError(
            _("These stores are already in another share group: %(stores)s.",
              stores=", ".join(s.code for s in taken))
        )


class ShareGroupError(ValueError):
    """Raised from the admin form hooks: FAB flashes ``str(exc)`` and keeps the form."""


# ---------------------------------------------------------------- visibility


def _store_viewer(viewer) -> int | None:
    """The viewer's store id; None for HQ (sees all) and for store roles without a store."""
    scoped = scoped_store_id(viewer)
    return None if scoped in (None, NO_STORE) else scoped


def _visible_rules(viewer, store_id: int, rules: Policy) -> list:
    criteria = []
    if not rules.other_store_may_view:
        criteria.append(Member.home_store_id == store_id)
    if not rules.other_staff_may_view:
        staff = current_staff(viewer)
        criteria.append(Member.developer_staff_id == staff.id if staff else false())
    if rules.isolation:
        criteria.append(
            or_(Member.home_store_id.in_(group_store_ids(store_id)), Member.home_store_id.is_(None))
        )
    return criteria


def member_filters(viewer, context: dict) -> list:
    """SQL criteria of ``retail_member_filters`` (lists, search, counts, sorting, exports, API)."""
    purpose = context.get("purpose")
    if purpose == "mall":
        return []
    store_id = _store_viewer(viewer)
    if store_id is None:
        return []  # HQ: everything; a store role without a store: the core shows nothing
    rules = policy()
    criteria = _visible_rules(viewer, store_id, rules)
    text = context.get("text")
    if rules.mask_on_pos and purpose == "search" and text:
        # names are masked on the POS: matching name fragments would reveal them
        criteria.append(Member.member_no.like(f"%{escape_like(text)}%", escape="\\"))
    if not criteria:
        return []
    visible = and_(*criteria)
    phone = context.get("phone")
    if rules.isolation and purpose == "api" and phone:
        # exact 11-digit phone at the POS: a member of another group is still found
        other_group = and_(Member.phone == phone, Member.home_store_id.not_in(group_store_ids(store_id)))
        return [or_(visible, other_group)]
    return [visible]


def visible_to(member: Member, viewer, store_id: int, rules: Policy) -> bool:
    """The same rules as ``member_filters`` on one loaded member (no phone exception)."""
    if not rules.other_store_may_view and member.home_store_id != store_id:
        return False
    if not rules.other_staff_may_view:
        staff = current_staff(viewer)
        if staff is None or member.developer_staff_id != staff.id:
            return False
    return not rules.isolation or in_share_group(member, store_id)


def present(data: dict, member: Member, viewer, context: dict) -> None:
    """``retail_present_member``: mask and flag what store staff see."""
    if member is None or context.get("purpose") == "mall":
        return  # the member's own view is never masked
    scoped = scoped_store_id(viewer)
    if scoped is None:
        return  # HQ roles always see full data
    if scoped == NO_STORE:
        mask_data(data)
        return
    rules = policy()
    masked = masks_store_staff(rules)
    if rules.isolation and not in_share_group(member, scoped):
        data["available"] = False
        data["notice"] = _("This member is not available in this group.")
        masked = True
    if not visible_to(member, viewer, scoped, rules):
        masked = True
    if masked:
        mask_data(data)


def not_in_group() -> DomainError:
    return DomainError("MEMBER_NOT_IN_GROUP", _l("This member is not available in this group."))


def member_usable(member: Member, store_id: int | None, purpose: str) -> DomainError | None:
    """``retail_member_usable``: benefits only inside the home store's share group."""
    if member is None or not policy().isolation:
        return None
    return None if in_share_group(member, store_id) else not_in_group()
