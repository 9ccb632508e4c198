"""Tables of the wecom_guide plugin: member ownership (专属导购) and its history, activation,
the guide's records of a member (visits, fittings, album), chat materials and HQ tasks.

The ``wecom`` helper's tables (WeCom contact ways, callback events, call log) are appended
at the end under its marked section.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.members.models import Member, MemberLevel, MemberTag
from app.org.models import Store
from app.platform.audit import Audited
from app.platform.staff import Staff
from app.sales.models import Order

OWNERSHIP_ACTIONS = ("claim", "link", "transfer", "release")
OWNERSHIP_SOURCES = ("claim", "wecom", "transfer", "staff_left", "admin")
ACTIVATION_METHODS = ("link", "sms")
VISIT_METHODS = ("phone", "wecom", "in_store", "sms", "other")
MATERIAL_KINDS = ("text", "image", "link")
TASK_STATUSES = ("open", "closed")
ASSIGNMENT_STATUSES = ("pending", "done")


class GuideMember(Model):
    """The member's dedicated guide (专属导购): one row per member that has or had one.

    ``staff_id`` None = in the unclaimed pool (released). A member without a row has never
    had a guide and is in the pool too. ``store_id`` is the guide's store when linked
    (store managers see and transfer their store's members).
    """

    __tablename__ = "wecom_guide_member"
    # each led by the guide: a search reads the guide's own rows, never every member's
    __table_args__ = (
        Index("ix_wecom_guide_member_staff_since", "staff_id", "since"),  # my members newest first
        Index("ix_wecom_guide_member_staff_phone4", "staff_id", "phone_last4"),
        Index("ix_wecom_guide_member_staff_purchase", "staff_id", "last_purchase_on", "member_id"),
        Index("ix_wecom_guide_member_staff_spend", "staff_id", "paid_total_fen", "member_id"),
    )

    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"))  # first of the index
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="claim")
    since: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    # copies of the member's search keys, kept by the listeners below and ``search_copy``
    phone_last4: Mapped[str] = mapped_column(String(4), nullable=False, default="")
    last_purchase_on: Mapped[datetime | None] = mapped_column(DateTime)  # the member's latest order
    paid_total_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)  # the member's total
    level_id: Mapped[int | None] = mapped_column(Integer)  # the member's level (no foreign key: a copy)
    member_status: Mapped[str] = mapped_column(String(10), nullable=False, default="")

    member: Mapped[Member] = relationship(Member)
    staff: Mapped[Staff | None] = relationship(Staff)
    store: Mapped[Store | None] = relationship(Store)


@event.listens_for(GuideMember, "before_insert")
def _copy_search_keys(mapper, connection, row: GuideMember) -> None:
    """A new ownership row (claim, WeCom link, transfer, demo) starts with the member's keys."""
    if not row.phone_last4:
        phone, paid, level_id, status = connection.execute(
            select(Member.phone, Member.paid_total_fen, Member.level_id, Member.status)
            .where(Member.id == row.member_id)
        ).one_or_none() or ("", 0, None, "")
        row.phone_last4, row.paid_total_fen = (phone or "")[-4:], paid
        row.level_id, row.member_status = level_id, status
    if row.last_purchase_on is None:
        row.last_purchase_on = connection.scalar(
            select(func.max(Order.created_on)).where(Order.member_id == row.member_id)
        )


@event.listens_for(Member, "after_update")
def _follow_member(mapper, connection, member: Member) -> None:
    """A member's phone, paid total, level or status changed through the ORM (admin, a level
    change on a sale): the ownership row's copies follow in the same flush (the sale's and
    return's own UPDATEs of the paid total: ``search_copy``)."""
    state = inspect(member).attrs
    if any(getattr(state, key).history.has_changes() for key in COPIED):
        connection.execute(
            update(GuideMember.__table__)
            .where(GuideMember.__table__.c.member_id == member.id)
            .values(phone_last4=(member.phone or "")[-4:], paid_total_fen=member.paid_total_fen,
                    level_id=member.level_id, member_status=member.status)
        )


COPIED = ("phone", "paid_total_fen", "level_id", "status")  # the member's fields the ownership row copies


class OwnershipEvent(Model):
    """History of ownership: who held the member before and after, why, and who did it."""

    __tablename__ = "wecom_guide_ownership_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    from_staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"), index=True)
    to_staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)

    member: Mapped[Member] = relationship(Member)
    from_staff: Mapped[Staff | None] = relationship(Staff, foreign_keys=[from_staff_id])
    to_staff: Mapped[Staff | None] = relationship(Staff, foreign_keys=[to_staff_id])


class Activation(Model):
    """A POS member's activation (F4.16): by the welcome/activation link or a mall SMS login."""

    __tablename__ = "wecom_guide_activation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, unique=True)
    method: Mapped[str] = mapped_column(String(8), nullable=False)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)

    member: Mapped[Member] = relationship(Member)


class Visit(Model):
    """A guide's visit record (回访) of a member, with its method."""

    __tablename__ = "wecom_guide_visit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"), index=True)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)

    staff: Mapped[Staff | None] = relationship(Staff)


class Fitting(Model):
    """A fitting record (试穿记录): what the member tried on, size and outcome."""

    __tablename__ = "wecom_guide_fitting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"), index=True)
    item: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)

    staff: Mapped[Staff | None] = relationship(Staff)


class AlbumPhoto(Model):
    """An image of the member's album, stored on disk under the instance folder."""

    __tablename__ = "wecom_guide_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(String(32), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    caption: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)


class MaterialGroup(Audited, Model):
    """A group of the chat materials library (话术/素材分组)."""

    __tablename__ = "wecom_guide_material_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False, unique=True)
    sort: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    def __repr__(self) -> str:
        return self.name


class Material(Audited, Model):
    """A chat material: a text, an image (URL) or a link a guide forwards to members."""

    __tablename__ = "wecom_guide_material"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("wecom_guide_material_group.id"), nullable=False,
                                          index=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="text")
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    forward_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    group: Mapped[MaterialGroup] = relationship(MaterialGroup)

    def __repr__(self) -> str:
        return self.title


class Task(Audited, Model):
    """An HQ or store-manager task (F4.8): target members, content, material, deadline.

    ``store_id`` None = an HQ task for every store's guides; else that store's guides only.
    """

    __tablename__ = "wecom_guide_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    material_id: Mapped[int | None] = mapped_column(ForeignKey("wecom_guide_material.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    target_tag_id: Mapped[int | None] = mapped_column(ForeignKey("members_tag.id"))
    target_level_id: Mapped[int | None] = mapped_column(ForeignKey("members_level.id"))
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="open")

    material: Mapped[Material | None] = relationship(Material)
    store: Mapped[Store | None] = relationship(Store)
    target_tag: Mapped[MemberTag | None] = relationship(MemberTag)
    target_level: Mapped[MemberLevel | None] = relationship(MemberLevel)

    def __repr__(self) -> str:
        return self.title


class TaskAssignment(Model):
    """A task given to one guide: how many of their members it targets, how many forwarded."""

    __tablename__ = "wecom_guide_task_assignment"
    __table_args__ = (UniqueConstraint("task_id", "staff_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("wecom_guide_task.id"), nullable=False, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("org_staff.id"), nullable=False, index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    target_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    forwarded_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="pending")
    done_on: Mapped[datetime | None] = mapped_column(DateTime)

    task: Mapped[Task] = relationship(Task)
    staff: Mapped[Staff] = relationship(Staff)
    store: Mapped[Store | None] = relationship(Store)


class TaskForward(Model):
    """One member a guide forwarded a task to (once per task and member)."""

    __tablename__ = "wecom_guide_task_forward"
    __table_args__ = (UniqueConstraint("task_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("wecom_guide_task.id"), nullable=False, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("org_staff.id"), nullable=False)
    member_id: Mapped[int] = mapped_column(ForeignKey("members_member.id"), nullable=False)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)


# --- wecom: WeCom contact ways, external contacts, callback events, call log, access tokens ---

from sqlalchemy import JSON, Float  # noqa: E402  (the wecom section's own imports)

CONTACT_WAY_STATUSES = ("none", "active", "failed")
CONTACT_STATUSES = ("friend", "deleted")
EVENT_STATUSES = ("received", "done", "failed", "ignored")
WELCOME_STATUSES = ("", "sent", "failed", "skipped")


class WeComContactWay(Audited, Model):
    """A guide's WeCom account (userid) and "contact me" QR (联系我, ``add_contact_way``)."""

    __tablename__ = "wecom_guide_contact_way"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("org_staff.id"), nullable=False, unique=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("org_store.id"), index=True)
    wecom_userid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    config_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # to edit or delete the way
    qr_code: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    state: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="none")
    last_error: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    staff: Mapped[Staff] = relationship(Staff)
    store: Mapped[Store | None] = relationship(Store)

    def __repr__(self) -> str:
        return self.wecom_userid


class WeComContact(Model):
    """A customer's WeCom friendship with a guide (external contact), and the member it is."""

    __tablename__ = "wecom_guide_contact"
    __table_args__ = (UniqueConstraint("external_userid", "wecom_userid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_userid: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    wecom_userid: Mapped[str] = mapped_column(String(64), nullable=False)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members_member.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    unionid: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    state: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="friend")
    added_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    staff: Mapped[Staff | None] = relationship(Staff)
    member: Mapped[Member | None] = relationship(Member)


class WeComEvent(Model):
    """A callback event, once: WeCom's retries (same CreateTime) find the row and change nothing."""

    __tablename__ = "wecom_guide_event"
    # events left "received" by a worker that died: found by the lease's age
    __table_args__ = (Index("ix_wecom_guide_event_status_claimed", "status", "claimed_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    event: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    change_type: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    wecom_userid: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    external_userid: Mapped[str] = mapped_column(String(64), nullable=False, default="", index=True)
    create_time: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="received")
    result: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("org_staff.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members_member.id"))
    welcome_status: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    error_code: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    error: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    payload: Mapped[dict | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)  # when its processing began (the lease)
    staff: Mapped[Staff | None] = relationship(Staff)
    member: Mapped[Member | None] = relationship(Member)


class WeComCall(Model):
    """Every request to the WeCom API with its answer (secrets redacted)."""

    __tablename__ = "wecom_guide_call"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_on: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=datetime.now, index=True)
    op: Mapped[str] = mapped_column(String(40), nullable=False)
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    errcode: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    http_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    request: Mapped[dict | None] = mapped_column(JSON)
    response: Mapped[dict | None] = mapped_column(JSON)


class WeComToken(Model):
    """The cached WeCom access token of a corp (shared by every worker)."""

    __tablename__ = "wecom_guide_token"
    corp_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(512), nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False)
