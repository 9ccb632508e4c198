"""Member services: creation, paid-total levels (F1.4) and who may see which member.

Every member-exposing endpoint (admin list, POS lookup, exports) goes through
``member_query`` and ``present_member`` so privacy plugins
(``retail_member_filters`` / ``retail_present_member``) apply everywhere.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, false, select, update
from sqlalchemy.exc import IntegrityError

from app.actor import acting_user
from app.docnumbers.services import next_doc_no
from app.errors import DomainError
from app.extensions import db
from app.members.models import CHANNELS, GENDERS, LevelChange, Member, MemberLevel
from app.org.models import Store
from app.org.services import store_snapshots
from app.platform.audit import audit
from app.platform.caches import cached_for_config
from app.plugins import plugin_host
from app.security import NO_STORE, scoped_store_id
from app.unit_of_work import unit_of_work

# ``\d`` and ``$`` would accept non-ASCII digits and a trailing newline
PHONE_RE = re.compile(r"1[3-9][0-9]{9}")
NAME_MAX = 50

# purposes whose results are limited to the viewer's home store (core rule);
# "api" (exact phone / id at the till) and "mall" (the member itself) are merchant-wide
STORE_SCOPED_PURPOSES = frozenset({"list", "search", "export"})


def validate_phone(phone) -> str:
    if not isinstance(phone, str) or not PHONE_RE.fullmatch(phone):
        raise DomainError(
            "INVALID_PHONE", _l("Enter a mainland mobile number: 11 digits starting with 13-19.")
        )
    return phone


def validate_name(name) -> str:
    if name is None:
        name = ""
    if not isinstance(name, str):
        raise DomainError("INVALID_NAME", _l("The name must be text."))
    name = name.strip()
    if len(name) > NAME_MAX:
        raise DomainError("INVALID_NAME", _l("The name may have at most %(n)s characters.", n=NAME_MAX))
    return name


def validate_choice(value, allowed) -> str:
    if value not in allowed:
        raise DomainError("INVALID_CHOICE", _l("Choose one of: %(choices)s.", choices=", ".join(allowed)))
    return value


def _phone_taken() -> DomainError:
    return DomainError("MEMBER_PHONE_EXISTS", _l("A member with this phone number already exists."))


def lowest_level() -> MemberLevel | None:
    return db.session.scalars(
        select(MemberLevel).order_by(MemberLevel.threshold_fen.asc(), MemberLevel.id.asc()).limit(1)
    ).first()


def level_for_total(total_fen: int) -> MemberLevel | None:
    """The highest level whose threshold the total reaches (else the lowest level, if any)."""
    reached = db.session.scalars(
        select(MemberLevel)
        .where(MemberLevel.threshold_fen <= total_fen)
        .order_by(MemberLevel.threshold_fen.desc(), MemberLevel.id.desc())
        .limit(1)
    ).first()
    return reached or lowest_level()


def register_member(member: Member, user=None) -> Member:
    """Validate and number a new ``Member`` and tell plugins (no commit).

    Shared by ``create_member`` (API) and the admin add form.
    """
    member.phone = validate_phone(member.phone)
    if member.home_store is not None:  # admin forms set the relationship, not the column
        member.home_store_id = member.home_store.id
    member.name = validate_name(member.name)
    if member.channel not in CHANNELS:
        raise ValueError(f"unknown channel {member.channel!r}")
    member.gender = member.gender or "unknown"
    validate_choice(member.gender, GENDERS)
    store = db.session.get(Store, member.home_store_id) if member.home_store_id is not None else None
    if member.home_store_id is not None and store is None:
        raise DomainError("STORE_NOT_FOUND", _l("The store does not exist."), status=422)
    member.home_store = store  # a form's empty relationship would otherwise win at flush
    with db.session.no_autoflush:
        if db.session.scalar(select(Member.id).where(Member.phone == member.phone)) is not None:
            raise _phone_taken()
        level = lowest_level()
    member.member_no = next_doc_no("MB", store.code if store else "HQ")
    member.status = "inactive"
    member.level_id = level.id if level else None
    db.session.add(member)
    db.session.flush()
    audit("member.create", "member", member.id, user=user, phone=member.phone, channel=member.channel)
    plugin_host().member_created(member=member)
    return member


def create_member(
    phone,
    name,
    home_store_id: int | None,
    developer_staff_id: int | None = None,
    channel: str = "pos",
    user=None,
) -> Member:
    """Create an inactive member (commits); ``retail_member_created`` runs in the transaction."""
    phone = validate_phone(phone)
    member = Member(
        phone=phone,
        name=name,
        home_store_id=home_store_id,
        developer_staff_id=developer_staff_id,
        channel=channel,
    )
    try:
        with unit_of_work():
            register_member(member, user=user)
    except IntegrityError as exc:  # rolled back: a concurrent twin took the phone number?
        if db.session.scalar(select(Member.id).where(Member.phone == phone)) is not None:
            raise _phone_taken() from exc
        raise
    return member


def apply_paid_amount(member_id: int, delta_fen: int, doc_no: str) -> LevelChange | None:
    """Add ``delta_fen`` (negative on returns) to the paid total and move the level (no commit).

    One atomic UPDATE … RETURNING (never read-modify-write); the row stays
    locked until the caller's transaction ends, so the level is consistent.
    """
    if isinstance(delta_fen, bool) or not isinstance(delta_fen, int):
        raise ValueError("delta_fen must be an int")
    row = db.session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values(paid_total_fen=Member.paid_total_fen + delta_fen)
        .returning(Member.paid_total_fen, Member.level_id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        raise DomainError("MEMBER_NOT_FOUND", _l("Member not found."))
    total, old_level_id = row
    target = level_for_total(total)
    new_level_id = target.id if target else None
    member = db.session.get(Member, member_id)
    db.session.refresh(member, ["paid_total_fen"])
    if new_level_id == old_level_id:
        return None
    member.level_id = new_level_id
    change = LevelChange(
        member_id=member_id, from_level_id=old_level_id, to_level_id=new_level_id, doc_no=doc_no
    )
    db.session.add(change)
    db.session.flush()
    return change


# ---------------------------------------------------------------- visibility


def _context(viewer, purpose: str, store_id=None, phone=None, text=None) -> dict:
    if store_id is None:
        store_id = scoped_store_id(viewer)
    return {"store_id": store_id, "purpose": purpose, "phone": phone, "text": text}


def member_criteria(
    viewer, purpose: str, store_id: int | None = None, phone: str | None = None, text: str | None = None
) -> list:
    """The criteria (core store rule + every plugin's) limiting what ``viewer`` sees.

    Core rule: HQ sees all; store roles see their home-store members in lists,
    searches and exports, and any member of the merchant by exact phone or id
    at the till (purpose "api").
    """
    criteria = []
    scoped = scoped_store_id(viewer)
    if scoped == NO_STORE:
        criteria.append(false())
    elif scoped is not None and purpose in STORE_SCOPED_PURPOSES:
        criteria.append(Member.home_store_id == scoped)
    context = _context(viewer, purpose, store_id, phone, text)
    criteria.extend(plugin_host().member_filters(viewer=viewer, context=context))
    return criteria


def member_query(
    viewer, purpose: str, store_id: int | None = None, phone: str | None = None, text: str | None = None
):
    """A ``select(Member)`` of the members ``viewer`` may see for ``purpose``.

    ``text`` is the free search text (purpose "search"), passed on to plugins.
    """
    query = select(Member)  # level and store names come from worker caches (present_member)
    if phone is not None:
        query = query.where(Member.phone == phone)
    for criterion in member_criteria(viewer, purpose, store_id, phone, text):
        query = query.where(criterion)
    return query


# built once (bound phone): the POS look-up runs it on every call, and a statement built per
# call pays for its construction and its cache key each time
MEMBER_BY_PHONE = select(Member).where(Member.phone == bindparam("phone"))


def members_by_phone(viewer, purpose: str, phone: str) -> list[Member]:
    """The member with ``phone`` (``[]`` or ``[member]``: phones are unique) if ``viewer`` may
    see it for ``purpose``; the same rule as ``member_query``."""
    criteria = member_criteria(viewer, purpose, phone=phone)
    statement = MEMBER_BY_PHONE.where(*criteria) if criteria else MEMBER_BY_PHONE
    return db.session.scalars(statement, {"phone": phone}).all()


def escape_like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern (used with ``escape="\\"``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def member_visible(viewer, purpose: str, member_id: int) -> bool:
    """Whether ``viewer`` may see the member for ``purpose`` (an id-only query)."""
    return db.session.scalar(
        select(Member.id).where(Member.id == member_id, *member_criteria(viewer, purpose))
    ) is not None


def visible_member(viewer, purpose: str, member_id: int) -> Member | None:
    return db.session.scalars(member_query(viewer, purpose).where(Member.id == member_id)).first()


def _level_names() -> dict[int, str]:
    return dict(db.session.execute(select(MemberLevel.id, MemberLevel.name)).all())


def level_names() -> dict[int, str]:
    """Member level names by id, kept per worker until levels change (reference data)."""
    return cached_for_config("members.level_names", _level_names)


PRIVATE = ("name", "phone")  # what privacy plugins may mask (retail_present_member)


def present_member(member: Member, viewer, purpose: str) -> dict:
    store = store_snapshots().get(member.home_store_id)
    data = {
        "id": member.id,
        "member_no": member.member_no,
        "phone": member.phone,
        "name": member.name,
        "level": level_names().get(member.level_id),
        "home_store": store.code if store is not None else None,
        "status": member.status,
        "available": True,
    }
    plugin_host().present_member(
        data=data, member=member, viewer=viewer, context=_context(viewer, purpose)
    )
    return data


def member_label(member: Member | None, viewer=None) -> str:
    """``member_no name`` of a member shown on another record (orders, ledgers) to ``viewer``.

    Goes through ``retail_present_member`` (purpose "related") like every member display.
    """
    if member is None:
        return ""
    viewer = viewer if viewer is not None else acting_user()
    data = _related(member, viewer, member.phone, member.name)
    return f"{data['member_no']} {data['name']}".strip()


def member_contact(member: Member, viewer, phone: str | None, name: str | None) -> tuple:
    """``(phone, name)`` of ``member`` as copied onto another record (a trade-in's customer), as
    ``viewer`` may see them: through ``retail_present_member`` (purpose "related")."""
    data = _related(member, viewer, phone, name)
    return data["phone"], data["name"]


def _related(member: Member, viewer, phone, name) -> dict:
    # only what a record shows of its member (no level or store loads per list row); plugins may mask it
    data = {"id": member.id, "member_no": member.member_no, "phone": phone, "name": name,
            "status": member.status, "available": True}
    plugin_host().present_member(data=data, member=member, viewer=viewer, context=_context(viewer, "related"))
    return data


def member_wallet(member: Member, store_id: int | None) -> dict:
    """What ``member`` can pay with: one list per installed tender's ``wallet_key`` (empty until
    filled), then every domain's and plugin's ``retail_member_wallet`` items -- the loyalty
    domain's balances (``stored_value_fen``, ``points``) among them."""
    host = plugin_host()
    wallet = {"member_id": member.id}
    wallet.update({key: [] for key in host.wallet_keys()})
    for extra in host.member_wallet(member=member, store_id=store_id):
        for key, value in extra.items():
            if isinstance(wallet.get(key), list) and isinstance(value, list):
                wallet[key].extend(value)
            elif key not in wallet:
                wallet[key] = value
    return wallet


def pos_member(viewer, member_id, store_id: int | None, purpose: str, not_found: str = "NOT_FOUND") -> Member:
    """The member a POS request acts on: refused by ``retail_member_usable`` for ``purpose``
    (e.g. another share group), else 404 ``not_found`` unless ``viewer`` may see it ("api")."""
    message = _l("Member not found.") if not_found == "MEMBER_NOT_FOUND" else _l("Not found.")
    member = db.session.get(Member, member_id) if isinstance(member_id, int) else None
    if member is None:
        raise DomainError(not_found, message)
    refusal = plugin_host().member_usable(member=member, store_id=store_id, purpose=purpose)
    if refusal is not None:
        raise refusal
    if not member_visible(viewer, "api", member.id):
        raise DomainError(not_found, message)
    return member
