"""WeCom callback events, each processed once.

An event is claimed by inserting its row (unique ``dedupe_key``: corp, event, change type,
user, external user, ``CreateTime`` — WeCom's retries repeat ``CreateTime``), ``received``
with ``claimed_at`` = now.  A retry that finds the row does nothing, unless the first attempt
failed for a passing reason (WeCom did not answer, a rate limit), or the row is still
``received`` after the lease (``wecom_guide.event_lease_minutes``, 5 by default: the worker
processing it died): then it claims the row again (one guarded UPDATE: one taker wins).
Events left behind by a crash are also taken again by the job
``wecom_guide.retry_stuck_events``, which any later delivery queues when there are some
(and ``flask --app run wecom-guide-retry-events`` runs).  Processing is all or nothing (the
link and the event close in one transaction), so a retried event is processed once; its
welcome message is skipped (the WelcomeCode is not kept, and is good for 20 s only).

``add_external_contact`` (a customer added a guide by their QR): the external contact is read
from WeCom (unionid, the phone the guide noted), the member found
(``ownership.find_member_for_contact``), and in ONE transaction the friendship is recorded, the
member linked to the guide (``ownership.link_member_to_guide``, which never takes a member from
another guide) and the event closed: a failure leaves nothing half done.  Then the welcome
message goes out once through ``send_welcome_msg`` with the member's activation link.
``del_external_contact`` / ``del_follow_user`` end the friendship (the member keeps the guide:
ownership changes only by claim, transfer or the guide leaving).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.platform.audit import audit
from app.platform.settings import get_setting
from app.unit_of_work import unit_of_work
from plugins.wecom_guide.models import WeComContact, WeComContactWay, WeComEvent
from plugins.wecom_guide.settings import EVENT_LEASE, WECOM_WELCOME_TEXT
from plugins.wecom_guide.wecom.client import WeComError
from plugins.wecom_guide.wecom.contact_way import staff_of_state, way_of_userid
from plugins.wecom_guide.wecom.platform import make_client

ADD = ("add_external_contact", "add_half_external_contact")
REMOVE = ("del_external_contact", "del_follow_user")
SECRET_FIELDS = ("WelcomeCode",)
RETRY_JOB = "wecom_guide.retry_stuck_events"
STUCK_BATCH = 20


class Outcome:
    DUPLICATE = "duplicate"  # a retry of an event already handled (or being handled)
    DONE = "done"
    FAILED = "failed"  # a passing failure: WeCom's retry (or an admin) processes it again
    IGNORED = "ignored"  # nothing to do, or refused for good (the row says why)


def dedupe_key(fields: dict) -> str:
    parts = [
        fields.get(k, "")
        for k in (
            "ToUserName",
            "MsgType",
            "Event",
            "ChangeType",
            "UserID",
            "ExternalUserID",
            "CreateTime",
            "MsgId",
            "FailReason",
        )
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _create_time(fields: dict) -> int:
    try:
        return int(fields.get("CreateTime", "0"))
    except ValueError:
        return 0


def claim(fields: dict) -> int | None:
    """The event's row id if this request is to process it, None for a duplicate."""
    key = dedupe_key(fields)
    payload = {k: ("***" if k in SECRET_FIELDS else v[:200]) for k, v in fields.items()}
    try:
        with unit_of_work():
            row = WeComEvent(
                dedupe_key=key,
                event=fields.get("Event", "")[:40],
                change_type=fields.get("ChangeType", "")[:40],
                wecom_userid=fields.get("UserID", "")[:64],
                external_userid=fields.get("ExternalUserID", "")[:64],
                create_time=_create_time(fields),
                payload=payload,
                claimed_at=datetime.now(),
            )
            db.session.add(row)
            db.session.flush()
            return row.id
    except IntegrityError:
        pass
    # a retry: take it again only if the first attempt failed for a passing reason or died
    event_id = db.session.scalar(select(WeComEvent.id).where(WeComEvent.dedupe_key == key))
    return event_id if event_id is not None and take_again(event_id) else None


def _stuck():
    """An event still ``received`` (being processed) since before the lease: its worker died."""
    cutoff = datetime.now() - timedelta(minutes=int(get_setting(EVENT_LEASE)))
    return and_(WeComEvent.status == "received", WeComEvent.claimed_at < cutoff)


def take_again(event_id: int) -> bool:
    """Claim a failed or stuck event for one more attempt (one guarded UPDATE: of two takers,
    one wins); False if it is done, ignored, or being processed within its lease."""
    with unit_of_work():
        return db.session.execute(
            update(WeComEvent)
            .where(WeComEvent.id == event_id, or_(WeComEvent.status == "failed", _stuck()))
            .values(status="received", attempts=WeComEvent.attempts + 1, claimed_at=datetime.now())
            .execution_options(synchronize_session=False)
        ).rowcount == 1


def handle(fields: dict) -> str:
    """Process one decrypted event (``fields``: its XML as a dict) at most once; then, if a
    crash left other events behind, queue the job that takes them again."""
    event_id = claim(fields)
    if event_id is None:
        current_app.logger.info(
            "wecom: duplicate event %s/%s ignored", fields.get("ChangeType"), fields.get("CreateTime")
        )
        outcome = Outcome.DUPLICATE
    else:
        outcome = process(event_id, fields)
    _queue_stuck()
    return outcome


def _queue_stuck() -> None:
    """Queue ``wecom_guide.retry_stuck_events`` when events are stuck and no such job waits."""
    from app.platform.jobs import enqueue_job
    from app.platform.models import Job

    if db.session.scalar(select(WeComEvent.id).where(_stuck()).limit(1)) is None:
        return
    if db.session.scalar(select(Job.id).where(Job.name == RETRY_JOB, Job.status.in_(("queued", "running")))
                         .limit(1)) is not None:
        return
    try:
        enqueue_job(RETRY_JOB)
    except Exception:  # the answer to WeCom does not depend on it: the next delivery queues it
        current_app.logger.exception("wecom: the retry of stuck events could not be queued")


def retry_stuck(limit: int = STUCK_BATCH) -> int:
    """Process again, once each, up to ``limit`` events stuck past their lease; returns how
    many this call took (another worker's take of the same event makes it skip it)."""
    ids = db.session.scalars(select(WeComEvent.id).where(_stuck()).order_by(WeComEvent.id).limit(limit)).all()
    taken = 0
    for event_id in ids:
        if take_again(event_id):
            taken += 1
            current_app.logger.warning("wecom: event %s was stuck (worker died): processed again", event_id)
            process(event_id, _kept_fields(event_id))
    return taken


def retry_stuck_job(job) -> None:
    job.message = f"{retry_stuck()} stuck WeCom events processed again"


def retry_stuck_periodic() -> None:
    """Periodic task (every minute in the job worker): stuck events are taken again even when
    WeCom sends nothing more."""
    retry_stuck()


def _kept_fields(event_id: int) -> dict:
    payload = db.session.get(WeComEvent, event_id).payload
    return {k: v for k, v in (payload or {}).items() if k not in SECRET_FIELDS}


def process(event_id: int, fields: dict) -> str:
    change = fields.get("ChangeType", "")
    if fields.get("Event") != "change_external_contact" or change not in ADD + REMOVE:
        return _finish(event_id, Outcome.IGNORED, "not_handled")
    try:
        if change in ADD:
            return _added(event_id, fields)
        return _removed(event_id, fields)
    except WeComError as err:
        outcome = Outcome.FAILED if err.transient else Outcome.IGNORED
        current_app.logger.warning("wecom: event %s %s: %s", event_id, outcome, err)
        return _finish(
            event_id,
            outcome,
            "wecom_error",
            error_code=err.code,
            error=str(err),
            audit_action="wecom.event_failed",
        )
    except Exception as err:  # ours: keep a known state, never a half link (the link's unit rolled back)
        current_app.logger.exception("wecom: event %s failed", event_id)
        return _finish(
            event_id,
            Outcome.FAILED,
            "error",
            error_code=type(err).__name__,
            error=str(err),
            audit_action="wecom.event_failed",
        )


def _finish(event_id: int, status: str, result: str, audit_action: str = "", **values) -> str:
    with unit_of_work():
        row = db.session.get(WeComEvent, event_id)
        row.status, row.result, row.processed_at = status, result, datetime.now()
        for key, value in values.items():
            setattr(row, key, value[:200] if isinstance(value, str) else value)
        if audit_action:
            audit(
                audit_action,
                "wecom_event",
                event_id,
                change_type=row.change_type,
                result=result,
                error=row.error_code,
                external_userid=row.external_userid,
                wecom_userid=row.wecom_userid,
            )
    return status


def _guide_of(fields: dict) -> WeComContactWay | None:
    """The guide whose WeCom account the customer added (the event's UserID is authoritative;
    ``State`` is our reference on the QR and must not contradict it)."""
    way = way_of_userid(fields.get("UserID", ""))
    state_staff = staff_of_state(fields.get("State", ""))
    if way is not None and state_staff is not None and state_staff != way.staff_id:
        current_app.logger.warning(
            "wecom: State %s names another guide than UserID %s", fields.get("State"), fields.get("UserID")
        )
    return way


def _phone_of(contact: dict, userid: str) -> str | None:
    for follow in contact.get("follow_user") or ():
        if isinstance(follow, dict) and follow.get("userid") == userid:
            for phone in follow.get("remark_mobiles") or ():
                if isinstance(phone, str) and phone.isdigit() and len(phone) == 11:
                    return phone
    return None


def _added(event_id: int, fields: dict) -> str:
    from plugins.wecom_guide.ownership import find_member_for_contact, link_member_to_guide

    userid, external = fields.get("UserID", ""), fields.get("ExternalUserID", "")
    with unit_of_work():  # a read, ended before WeCom is called
        way = _guide_of(fields)
        staff_id = way.staff_id if way is not None else None
    if staff_id is None or not external:
        return _finish(event_id, Outcome.IGNORED, "unknown_guide", audit_action="wecom.event_refused")
    way_state = fields.get("State", "")[:30]
    client = make_client()
    contact = client.get_external_contact(external)  # WeComError: unknown user (ignored) or passing (failed)
    info = contact.get("external_contact") or {}
    unionid = str(info.get("unionid") or "")[:64] or None
    phone = _phone_of(contact, userid)
    linked = False
    with unit_of_work():  # the friendship, the link and the event: all or nothing
        member = find_member_for_contact(unionid, phone)
        row = db.session.scalars(
            select(WeComContact).where(
                WeComContact.external_userid == external, WeComContact.wecom_userid == userid
            )
        ).first()
        if row is None:
            row = WeComContact(external_userid=external, wecom_userid=userid)
            db.session.add(row)
        row.staff_id, row.name, row.state = staff_id, str(info.get("name") or "")[:100], way_state
        row.unionid = unionid or ""
        row.status, row.added_at, row.removed_at = "friend", datetime.now(), None
        if member is not None:
            row.member_id = member.id
            linked = link_member_to_guide(member.id, staff_id, "wecom")
        event = db.session.get(WeComEvent, event_id)
        event.staff_id, event.member_id = staff_id, (member.id if member is not None else None)
        event.result = "linked" if linked else ("kept" if member is not None else "unmatched")
        event.status, event.processed_at, event.error_code, event.error = Outcome.DONE, datetime.now(), "", ""
        if member is None:
            audit(
                "wecom.contact_unmatched",
                "wecom_event",
                event_id,
                external_userid=external,
                wecom_userid=userid,
            )
        member_id = member.id if member is not None else None
    _welcome(event_id, client, fields.get("WelcomeCode", ""), member_id, staff_id)
    return Outcome.DONE


def welcome_text(member_id: int | None, staff_id: int) -> str:
    from app.members.models import Member
    from app.platform.staff import Staff
    from plugins.wecom_guide.activation import activation_url

    staff = db.session.get(Staff, staff_id)
    text = get_setting(WECOM_WELCOME_TEXT) or _(
        "Hello, I am %(name)s, your shopping guide. Ask me anything, any time.",
        name=staff.name if staff else "",
    )
    member = db.session.get(Member, member_id) if member_id else None
    if member is not None and member.status != "active":
        text += "\n" + _("Activate your membership: %(url)s", url=activation_url(member))
    return text


def _welcome(event_id: int, client, welcome_code: str, member_id: int | None, staff_id: int) -> None:
    """Send the welcome message once (a welcome code is good for one use within 20 s)."""
    if not welcome_code:
        status = "skipped"
    else:
        try:
            client.send_welcome_msg(welcome_code, welcome_text(member_id, staff_id))
            status = "sent"
        except WeComError as err:
            current_app.logger.warning("wecom: welcome of event %s not sent: %s", event_id, err)
            status = "failed"
        except Exception:  # ours (the text, the link): the member is linked all the same
            current_app.logger.exception("wecom: welcome of event %s not sent", event_id)
            status = "failed"
    with unit_of_work():
        event = db.session.get(WeComEvent, event_id)
        event.welcome_status = status
        if status == "failed":
            audit("wecom.welcome_failed", "wecom_event", event_id)


def _removed(event_id: int, fields: dict) -> str:
    userid, external = fields.get("UserID", ""), fields.get("ExternalUserID", "")
    with unit_of_work():
        row = db.session.scalars(
            select(WeComContact).where(
                WeComContact.external_userid == external, WeComContact.wecom_userid == userid
            )
        ).first()
        event = db.session.get(WeComEvent, event_id)
        event.processed_at = datetime.now()
        if row is None:
            event.status, event.result = Outcome.IGNORED, "unknown_contact"
            return Outcome.IGNORED
        row.status, row.removed_at = "deleted", datetime.now()
        event.status, event.result = Outcome.DONE, "removed"
        event.staff_id, event.member_id = row.staff_id, row.member_id
    return Outcome.DONE


def retry(event_id: int) -> str:
    """Process a failed (or stuck) event again (admin action); a done or ignored one, or one
    being processed within its lease, is left alone."""
    if not take_again(event_id):
        return Outcome.DUPLICATE
    return process(event_id, _kept_fields(event_id))
