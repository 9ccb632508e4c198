"""The guide workbench's reads: my members (search, filters, sorting), the pool, member 360.

Every member shown goes through the core's ``present_member`` (purpose "api"), so privacy
plugins mask phone and name here as at the till; every query carries the core's and the
other plugins' member criteria (``member_criteria``), this plugin's own guide filter
turned off because the query itself says whose members it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, literal, select

from app.errors import DomainError
from app.extensions import db
from app.formatting import code_label
from app.members.models import Member, MemberTag, member_tag_link
from app.members.services import escape_like, level_names, member_criteria, present_member
from app.platform.staff import Staff
from app.roles import GUIDE
from app.sales.models import Order
from app.security import current_staff, user_role_names
from plugins.wecom_guide.models import AlbumPhoto, Fitting, GuideMember, Visit
from plugins.wecom_guide.ownership import pool_criteria
from plugins.wecom_guide.visibility import own_filter_off

PAGE_SIZE_MAX = 100


def not_found() -> DomainError:
    return DomainError("NOT_FOUND", _l("Not found."))


def caller_guide() -> Staff:
    """The calling guide's staff (the caller's ``StaffRef`` for API callers: no query), or
    ``GUIDE_REQUIRED`` (403) unless an active Guide with a store."""
    staff = current_staff()
    if (staff is None or staff.status != "active" or staff.store_id is None
            or GUIDE not in user_role_names()):
        raise DomainError("GUIDE_REQUIRED", _l("This needs an active guide account bound to a store."))
    return staff


@dataclass
class MemberSearch:
    q: str = ""
    tag_id: int | None = None
    level_id: int | None = None
    status: str | None = None
    spend_min_fen: int | None = None
    spend_max_fen: int | None = None
    last_purchase_from: date | None = None
    last_purchase_to: date | None = None
    sort: str = "since"
    page: int = 1
    page_size: int = 20


SORTS = ("since", "spend", "spend_asc", "last_purchase", "joined", "member_no")


def _last_purchase():
    return (select(func.max(Order.created_on)).where(Order.member_id == Member.id)
            .correlate(Member).scalar_subquery())


def _text_criteria(text: str, mine: bool) -> list:
    """Phone (whole: its unique index; or its last 4+ digits: for the guide's own members first
    by the ownership row's copy of the last 4, on the guide's index), member no / card no (whole:
    its unique index, looked up first; else its start)."""
    text = text.strip()
    if not text:
        return []
    if text.isdigit() and len(text) == 11:
        return [Member.phone == text]
    exact = db.session.scalar(select(Member.id).where(Member.member_no == text))
    if exact is not None:
        return [Member.id == exact]
    pattern = escape_like(text)
    if text.isdigit() and len(text) >= 4:
        suffix = [Member.phone.like(f"%{pattern}", escape="\\")]
        return [GuideMember.phone_last4 == text[-4:], *suffix] if mine else suffix
    return [Member.member_no.like(f"{pattern}%", escape="\\")]


def _filters(search: MemberSearch, mine: bool = False) -> list:
    """The search's criteria; ``mine``: on the guide's own members (joined to their ownership
    rows, whose copies of the member's last 4 phone digits, level, status, paid total and last
    purchase are searched instead: ``search_copy``)."""
    criteria = _text_criteria(search.q, mine)
    if search.tag_id is not None:
        # a correlated look-up on the link's primary key per candidate member (the guide's few
        # thousand), never a scan of every member's tags: PostgreSQL keeps a LIMIT 1 subquery as is
        member_id = GuideMember.member_id if mine else Member.id
        tagged = (select(literal(1)).where(member_tag_link.c.member_id == member_id,
                                           member_tag_link.c.tag_id == search.tag_id)
                  .correlate(GuideMember if mine else Member).limit(1).scalar_subquery())
        criteria.append(tagged.is_not(None))
    if search.level_id is not None:
        criteria.append((GuideMember.level_id if mine else Member.level_id) == search.level_id)
    if search.status:
        criteria.append((GuideMember.member_status if mine else Member.status) == search.status)
    paid = GuideMember.paid_total_fen if mine else Member.paid_total_fen
    if search.spend_min_fen is not None:
        criteria.append(paid >= search.spend_min_fen)
    if search.spend_max_fen is not None:
        criteria.append(paid <= search.spend_max_fen)
    last_purchase = GuideMember.last_purchase_on if mine else _last_purchase()
    if search.last_purchase_from is not None:
        criteria.append(last_purchase >= datetime.combine(search.last_purchase_from, time.min))
    if search.last_purchase_to is not None:
        criteria.append(last_purchase < datetime.combine(search.last_purchase_to + timedelta(days=1),
                                                         time.min))
    return criteria


_MY_ORDERS = {  # the guide's own members: on the ownership row's indexes (staff, key, member)
    "last_purchase": lambda: [GuideMember.last_purchase_on.desc(), GuideMember.member_id.desc()],
    "spend": lambda: [GuideMember.paid_total_fen.desc(), GuideMember.member_id.desc()],
    "spend_asc": lambda: [GuideMember.paid_total_fen.asc(), GuideMember.member_id.asc()],
}
_ORDERS = {  # built on demand: the sort asked for only
    "since": lambda: [GuideMember.since.desc(), Member.id.desc()],
    "spend": lambda: [Member.paid_total_fen.desc(), Member.id.desc()],
    "spend_asc": lambda: [Member.paid_total_fen.asc(), Member.id.asc()],
    "last_purchase": lambda: [_last_purchase().desc(), Member.id.desc()],
    "joined": lambda: [Member.created_on.desc(), Member.id.desc()],
    "member_no": lambda: [Member.member_no.asc()],
}


def _order_by(sort: str, mine: bool = False) -> list:
    return ((mine and _MY_ORDERS.get(sort)) or _ORDERS[sort])()


def _visible(viewer) -> list:
    with own_filter_off():
        return member_criteria(viewer, "api")


def searching(search: MemberSearch) -> bool:
    filters = (search.tag_id, search.level_id, search.status, search.spend_min_fen, search.spend_max_fen,
               search.last_purchase_from, search.last_purchase_to)
    return bool(search.q.strip()) or any(value is not None for value in filters)


def _page(query: Select, search: MemberSearch) -> tuple[list, bool]:
    """One page of rows and whether more follow (one row more is read: no count of the rest)."""
    size = max(1, min(search.page_size, PAGE_SIZE_MAX))
    rows = db.session.execute(query.limit(size + 1).offset((max(search.page, 1) - 1) * size)).all()
    return rows[:size], len(rows) > size


def _member_rows(rows, viewer) -> list[dict]:
    """Rows of (member, since, last purchase) (the guide's own: the ownership row's copy) or of
    (member,) (the pool: the last purchase read from the orders)."""
    member_ids = [row[0].id for row in rows]
    tags: dict[int, list[str]] = {}
    last: dict[int, datetime] = {row[0].id: row[2] for row in rows if len(row) > 2 and row[2]}
    if member_ids:
        for member_id, name in db.session.execute(
            select(member_tag_link.c.member_id, MemberTag.name)
            .join(MemberTag, MemberTag.id == member_tag_link.c.tag_id)
            .where(member_tag_link.c.member_id.in_(member_ids)).order_by(MemberTag.name)
        ):
            tags.setdefault(member_id, []).append(name)
        if rows and len(rows[0]) < 3:
            last = dict(db.session.execute(
                select(Order.member_id, func.max(Order.created_on))
                .where(Order.member_id.in_(member_ids)).group_by(Order.member_id)
            ).all())
    result = []
    for row in rows:
        member = row[0]
        data = present_member(member, viewer, "api")
        data.update(
            paid_total_fen=member.paid_total_fen,
            tags=tags.get(member.id, []),
            last_purchase=last[member.id].isoformat(timespec="seconds") if member.id in last else None,
            since=row[1].isoformat(timespec="seconds") if len(row) > 1 and row[1] else None,
        )
        result.append(data)
    return result


def my_members(viewer, staff: Staff, search: MemberSearch) -> dict:
    """A page of the guide's members; ``total`` (how many members the guide has) is counted on
    the ownership index alone, and only for the plain list (a search answers ``null``)."""
    query = (
        select(Member, GuideMember.since, GuideMember.last_purchase_on)
        .join(GuideMember, GuideMember.member_id == Member.id)
        .where(GuideMember.staff_id == staff.id, *_visible(viewer), *_filters(search, mine=True))
        .order_by(*_order_by(search.sort, mine=True))
    )
    rows, more = _page(query, search)
    total = None
    if not searching(search) and not _visible(viewer):
        total = db.session.scalar(select(func.count()).select_from(GuideMember)
                                  .where(GuideMember.staff_id == staff.id))
    return {"total": total, "page": search.page, "has_more": more, "members": _member_rows(rows, viewer)}


def pool_members(viewer, staff: Staff, search: MemberSearch) -> dict:
    query = (
        select(Member)
        .outerjoin(GuideMember, GuideMember.member_id == Member.id)
        .where(*pool_criteria(staff.store_id), *_visible(viewer), *_filters(search))
        .order_by(Member.created_on.desc(), Member.id.desc())
    )
    rows, more = _page(query, search)
    return {"total": None, "page": search.page, "has_more": more, "members": _member_rows(rows, viewer)}


def in_pool(viewer, staff: Staff, member_id: int) -> bool:
    return db.session.scalar(
        select(Member.id).outerjoin(GuideMember, GuideMember.member_id == Member.id)
        .where(Member.id == member_id, *pool_criteria(staff.store_id), *_visible(viewer))
    ) is not None


def my_member(viewer, staff: Staff, member_id) -> Member:
    """The guide's own member ``member_id`` (visible to ``viewer``), else ``NOT_FOUND`` (404):
    another guide's member, a pool member or an unknown id all answer the same."""
    if not isinstance(member_id, int) or isinstance(member_id, bool):
        raise not_found()
    member = db.session.scalar(
        select(Member).join(GuideMember, GuideMember.member_id == Member.id)
        .where(Member.id == member_id, GuideMember.staff_id == staff.id, *_visible(viewer))
    )
    if member is None:
        raise not_found()
    return member


# ---------------------------------------------------------------- member 360


def _when(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def member_360(viewer, staff: Staff, member: Member) -> dict:
    from app.loyalty.models import PointsTxn, StoredValueTxn
    from app.loyalty.services import points_balance, stored_value_balance
    from plugins.coupons.services import coupon_summary, member_coupons

    shown = present_member(member, viewer, "api")
    since = db.session.scalar(select(GuideMember.since).where(GuideMember.member_id == member.id))
    all_tags = db.session.execute(select(MemberTag.id, MemberTag.name).order_by(MemberTag.name)).all()
    own_tags = {tag.id for tag in member.tags}
    orders = db.session.scalars(
        select(Order).where(Order.member_id == member.id).order_by(Order.id.desc()).limit(20)
    ).all()
    return {
        **shown,
        "phone_masked": shown.get("phone") != member.phone,
        "level_id": member.level_id,
        "level": level_names().get(member.level_id),
        "paid_total_fen": member.paid_total_fen,
        "activated_on": _when(member.activated_on),
        "since": _when(since),
        "points": points_balance(member.id),
        "stored_value_fen": stored_value_balance(member.id),
        "points_history": [
            {"points": t.points, "balance_after": t.balance_after, "doc_no": t.doc_no, "kind": t.kind,
             "created_on": _when(t.created_on)}
            for t in db.session.scalars(select(PointsTxn).where(PointsTxn.member_id == member.id)
                                        .order_by(PointsTxn.id.desc()).limit(10))
        ],
        "stored_value_history": [
            {"amount_fen": t.amount_fen, "balance_after_fen": t.balance_after_fen, "doc_no": t.doc_no,
             "kind": t.kind, "created_on": _when(t.created_on)}
            for t in db.session.scalars(select(StoredValueTxn).where(StoredValueTxn.member_id == member.id)
                                        .order_by(StoredValueTxn.id.desc()).limit(10))
        ],
        "orders": [
            {"order_no": o.order_no, "status": o.status, "paid_fen": o.paid_fen,
             "created_on": _when(o.created_on),
             "lines": [{"sku_code": line.sku.sku_code, "name": line.sku.product.name, "spec": line.sku.spec,
                        "qty": line.qty, "price_fen": line.price_fen} for line in o.lines]}
            for o in orders
        ],
        "coupons": [coupon_summary(c) for c in member_coupons(member.id, usable_only=False)[:50]],
        "tags": [{"id": tag_id, "name": name, "selected": tag_id in own_tags} for tag_id, name in all_tags],
        "visits": [
            {"id": v.id, "method": v.method, "method_label": code_label(v.method, "wecom_guide_visit_method"),
             "note": v.note, "guide": v.staff.name if v.staff else "", "created_on": _when(v.created_on)}
            for v in db.session.scalars(select(Visit).where(Visit.member_id == member.id)
                                        .order_by(Visit.id.desc()).limit(50))
        ],
        "fittings": [
            {"id": f.id, "item": f.item, "size": f.size, "note": f.note, "created_on": _when(f.created_on)}
            for f in db.session.scalars(select(Fitting).where(Fitting.member_id == member.id)
                                        .order_by(Fitting.id.desc()).limit(50))
        ],
        "album": [
            {"id": p.id, "caption": p.caption, "content_type": p.content_type, "size_bytes": p.size_bytes,
             "url": f"/api/v1/guide/photos/{p.id}", "created_on": _when(p.created_on)}
            for p in db.session.scalars(select(AlbumPhoto).where(AlbumPhoto.member_id == member.id)
                                        .order_by(AlbumPhoto.id.desc()).limit(50))
        ],
    }
