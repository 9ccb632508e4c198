"""Points reset (积分清零, F1.7): HQ asks, a background job zeroes, set-based and resumable.

``request_reset`` checks the form and queues the job; ``run_reset`` (the job) walks the
members in batches by member id, each batch one transaction that claims the batch on the
reset row (its checkpoint) and writes the batch's ledger rows and balances with the
set-based statements of ``reset/sql.py``.  A worker killed mid-job leaves the checkpoint
of its last committed batch: ``resume_reset`` queues a new job that continues after it,
and a batch is never reset twice (its claim is a guarded update of the checkpoint).  The
job worker resumes abandoned resets by itself (``resume_abandoned_resets``, a periodic
task: when a worker starts and every minute, once the stall time has passed).
Running a finished reset again changes nothing; a new reset of members already at 0
finds nothing to reset.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.docnumbers.services import next_doc_no, register_doc_types, reserve_doc_nos
from app.errors import DomainError
from app.extensions import db
from app.formatting import store_today, time_zone
from app.loyalty.models import PointsTxn
from app.members.models import Member, MemberLevel
from app.org.models import Store
from app.platform.audit import audit
from app.platform.models import Job
from app.platform.settings import get_setting
from app.unit_of_work import unit_of_work
from plugins.points_mall.models import PointsReset
from plugins.points_mall.reset import sql

RESET_DOC, ROW_DOC = "PR", "PRM"
register_doc_types({RESET_DOC: "points reset", ROW_DOC: "points reset of one member (ledger row)"})

SCOPES = ("all", "level", "segment", "stores")
JOB_NAME = "points_mall.reset"
REASON_MAX, REMARK_MAX = 100, 500
UNFINISHED = ("queued", "processing")


def _reset_error(code: str, message, field: str | None = None) -> DomainError:
    return DomainError(code, message, **({"field": field} if field else {}))


def parse_reset_form(values: dict) -> dict:
    """The reset's parameters from the form's text values; ``DomainError`` (with ``field``)."""
    reason = (values.get("reason") or "").strip()
    if not 2 <= len(reason) <= REASON_MAX:
        raise _reset_error("POINTS_RESET_REASON_INVALID",
                           _l("Give the reason members will see (2 to 100 characters)."), "reason")
    remark = (values.get("remark") or "").strip()
    if len(remark) > REMARK_MAX:
        raise _reset_error("POINTS_RESET_REMARK_TOO_LONG", _l("The remark takes at most 500 characters."),
                           "remark")
    scope = values.get("scope") or "all"
    if scope not in SCOPES:
        raise _reset_error("POINTS_RESET_SCOPE_INVALID",
                           _l("Choose all members, a level, a member group or stores."), "scope")
    level_id, store_ids, segment_key, segment_label = None, None, None, ""
    if scope == "level":
        raw = str(values.get("level_id") or "")
        level = db.session.get(MemberLevel, int(raw)) if raw.isdigit() and len(raw) < 10 else None
        if level is None:
            raise _reset_error("POINTS_RESET_LEVEL_REQUIRED", _l("Choose the member level."), "level_id")
        level_id = level.id
    if scope == "segment":
        segment = member_segments().get(str(values.get("segment_key") or ""))
        if segment is None:
            raise _reset_error("POINTS_RESET_SEGMENT_REQUIRED", _l("Choose the member group."), "segment_key")
        segment_key, segment_label = segment.key, str(segment.label)[:100]
    if scope == "stores":
        raw_ids = values.get("store_ids") or []
        ids = sorted({int(v) for v in raw_ids if str(v).isdigit() and len(str(v)) < 10})
        found = list(db.session.scalars(select(Store.id).where(Store.id.in_(ids)))) if ids else []
        if not ids or len(found) != len(ids):
            raise _reset_error("POINTS_RESET_STORES_REQUIRED",
                               _l("Choose the home stores of the members to reset."), "store_ids")
        store_ids = sorted(found)
    earned_before = None
    raw_date = (values.get("earned_before") or "").strip()
    if raw_date:
        try:
            earned_before = date.fromisoformat(raw_date)
        except ValueError:
            earned_before = None
        if earned_before is None or earned_before > store_today() + timedelta(days=1) \
                or earned_before.year < 2000:
            raise _reset_error("POINTS_RESET_DATE_INVALID",
                               _l("Enter a date (YYYY-MM-DD) no later than tomorrow."), "earned_before")
    return {"reason": reason, "remark": remark, "scope": scope, "level_id": level_id,
            "segment_key": segment_key, "segment_label": segment_label, "store_ids": store_ids,
            "earned_before": earned_before}


def member_segments() -> dict:
    """The member segments other packages offer (e.g. member_privacy's share groups), by key."""
    from app.plugins import plugin_host

    return {segment.key: segment for segment in plugin_host().member_segments()}


def segment_sql(key: str | None) -> str:
    """The member ids of segment ``key`` as SQL (compiled for this database), for the batch
    statements; a segment that has vanished (its plugin disabled) fails the job."""
    if key is None:
        return ""
    segment = member_segments().get(key)
    if segment is None:
        raise DomainError("POINTS_RESET_SEGMENT_REQUIRED", _l("Choose the member group."))
    query = select(Member.id).where(segment.criteria)
    dialect = db.session.connection().dialect
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def request_reset(params: dict, user=None) -> PointsReset:
    """Record the reset and queue its job (commits); ``params`` from ``parse_reset_form``."""
    from app.platform.jobs import enqueue_job

    with unit_of_work():
        reset = PointsReset(reset_no=next_doc_no(RESET_DOC), created_by_fk=getattr(user, "id", None),
                            status="queued", **params)
        db.session.add(reset)
        db.session.flush()
        audit("points_reset.request", "points_reset", reset.id, user=user, reset_no=reset.reset_no,
              scope=reset.scope)
    reset_id = reset.id
    job = enqueue_job(JOB_NAME, user=user, reset_id=reset_id)
    with unit_of_work():
        db.session.execute(update(PointsReset).where(PointsReset.id == reset_id, PointsReset.job_id.is_(None))
                           .values(job_id=job.id).execution_options(synchronize_session=False))
    return db.session.get(PointsReset, reset_id)


def _cutoff(earned_before: date | None) -> datetime | None:
    """Midnight starting ``earned_before`` on the store's clock, as the server's naive local time
    (the ledger's ``created_on``)."""
    if earned_before is None:
        return None
    return datetime.combine(earned_before, time(), tzinfo=time_zone()).astimezone().replace(tzinfo=None)


def _start(reset_id: int, job_id: int | None) -> PointsReset | None:
    with unit_of_work():
        reset = db.session.get(PointsReset, reset_id, with_for_update=True)
        if reset is None or reset.status == "completed":
            return None  # a finished reset run again: nothing to do
        if reset.upper_member_id is None:  # the members existing now are the reset's
            reset.upper_member_id = db.session.scalar(select(func.max(Member.id))) or 0
        reset.status = "processing"
        reset.message = ""
        reset.started_on = reset.started_on or datetime.now()
        reset.heartbeat_on = datetime.now()
        if job_id is not None:
            reset.job_id = job_id
    return reset


def _params(reset: PointsReset, lo: int, hi: int, now: datetime) -> dict:
    params = {"lo": lo, "hi": hi, "now": now, "reset_id": reset.id, "note": reset.reason,
              "n_prefix": "", "first": 0}
    if reset.scope == "level":
        params["level_id"] = reset.level_id
    if reset.scope == "stores":
        params["store_ids"] = list(reset.store_ids or [])
    if reset.earned_before is not None:
        params["earned_before"] = _cutoff(reset.earned_before)
    return params


def _run_batch(reset: PointsReset, lo: int, hi: int, segment: str) -> bool:
    """Claim and reset the members ``lo < id <= hi`` in one transaction; False if another
    worker claimed the batch first."""
    now = datetime.now()
    with unit_of_work():
        connection = db.session.connection()
        claim = {"reset_id": reset.id, "lo": lo, "hi": hi, "now": now}
        if connection.execute(sql.CLAIM_BATCH, claim).rowcount != 1:
            return False
        params = _params(reset, lo, hi, now)
        before = reset.earned_before is not None
        if connection.dialect.name == "postgresql":
            ids, count = connection.execute(sql.pg_lock_statement(reset.scope, before, segment), params).one()
            if not count:
                connection.execute(sql.RECORD_EMPTY_BATCH, params)
                return True
            params["n_prefix"], params["first"] = reserve_doc_nos(ROW_DOC, count)
            connection.execute(sql.pg_batch_statement(before), {**params, "ids": ids})
        else:
            counting = sql.count_statement(reset.scope, before, segment)
            count, _points = connection.execute(counting, params).one()
            if count:
                params["n_prefix"], params["first"] = reserve_doc_nos(ROW_DOC, count)
            last_row = select(func.coalesce(func.max(PointsTxn.id), 0))
            params["before_id"] = connection.execute(last_row).scalar()
            connection.execute(sql.sqlite_insert_statement(reset.scope, before, segment), params)
            connection.execute(sql.SQLITE_UPDATE_BALANCES, params)
            connection.execute(sql.SQLITE_RECORD_BATCH, params)
            connection.execute(sql.SQLITE_MOVE_COUNTERS, params)
    return True


def batch_size() -> int:
    return int(get_setting("points_mall.reset_batch_size"))


def run_reset(reset_id: int, job_id: int | None = None, progress=None) -> PointsReset | None:
    """Reset the scope's members batch by batch from the checkpoint on (the job's body)."""
    reset = _start(reset_id, job_id)
    if reset is None:
        return None
    upper, size = reset.upper_member_id, batch_size()
    try:
        segment = segment_sql(reset.segment_key)
        while True:
            db.session.expire(reset)
            if reset.status != "processing" or reset.checkpoint_member_id >= upper:
                break
            lo = reset.checkpoint_member_id
            _run_batch(reset, lo, min(lo + size, upper), segment)  # lost claim: re-read the checkpoint
            if progress is not None:
                progress(min(reset.checkpoint_member_id, upper), upper)
        with unit_of_work():
            db.session.execute(
                update(PointsReset)
                .where(PointsReset.id == reset_id, PointsReset.status == "processing")
                .values(status="completed", finished_on=datetime.now(), heartbeat_on=datetime.now())
                .execution_options(synchronize_session=False)
            )
    except Exception as exc:  # the failed batch was rolled back by its unit of work
        with unit_of_work():
            failed = db.session.get(PointsReset, reset_id)
            failed.status = "failed"
            failed.message = str(exc)[:2000]
            failed.finished_on = datetime.now()
        raise
    db.session.expire_all()
    return db.session.get(PointsReset, reset_id)


def is_stalled(reset: PointsReset, now: datetime | None = None) -> bool:
    """A processing reset whose worker has not committed a batch for the stall time."""
    if reset.status != "processing":
        return False
    minutes = int(get_setting("points_mall.reset_stall_minutes"))
    last = reset.heartbeat_on or reset.started_on or reset.created_on
    return last <= (now or datetime.now()) - timedelta(minutes=minutes)


def resumable(reset: PointsReset) -> bool:
    return reset.status == "failed" or is_stalled(reset) or (
        reset.status == "queued" and _job_lost(reset)
    )


def _job_lost(reset: PointsReset) -> bool:
    job = db.session.get(Job, reset.job_id) if reset.job_id else None
    return job is None or job.status in ("done", "failed")


def resume_reset(reset_id: int, user=None) -> PointsReset:
    """Queue a new job for a failed or stalled reset; it continues after the checkpoint (commits)."""
    from app.platform.jobs import enqueue_job

    reset = db.session.get(PointsReset, reset_id)
    if reset is None:
        raise DomainError("POINTS_RESET_NOT_FOUND", _l("Unknown points reset."))
    if not resumable(reset):
        raise DomainError("POINTS_RESET_NOT_RESUMABLE",
                          _l("Only a failed reset, or one whose worker stopped, can be resumed."))
    with unit_of_work():
        claimed = db.session.execute(
            update(PointsReset)
            .where(PointsReset.id == reset_id, PointsReset.status == reset.status)
            .values(status="queued", message="", finished_on=None, heartbeat_on=datetime.now())
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise DomainError("POINTS_RESET_NOT_RESUMABLE",
                              _l("Only a failed reset, or one whose worker stopped, can be resumed."))
        old_job = db.session.get(Job, reset.job_id) if reset.job_id else None
        if old_job is not None and old_job.status in ("queued", "running"):
            old_job.status = "failed"
            old_job.message = "worker stopped; the reset was resumed in a new job"
            old_job.finished_on = datetime.now()
        audit("points_reset.resume", "points_reset", reset_id, user=user,
              checkpoint=reset.checkpoint_member_id)
    job = enqueue_job(JOB_NAME, user=user, reset_id=reset_id)
    with unit_of_work():  # the job may have run already (the same id, then)
        db.session.execute(update(PointsReset).where(PointsReset.id == reset_id).values(job_id=job.id)
                           .execution_options(synchronize_session=False))
    db.session.expire_all()
    return db.session.get(PointsReset, reset_id)


def abandoned(reset: PointsReset) -> bool:
    """A reset no worker is carrying on: processing but stalled, or queued behind a lost job.
    A failed one is not abandoned: it waits for someone to read why and resume it."""
    return is_stalled(reset) or (reset.status == "queued" and _job_lost(reset))


def resume_stalled(user=None, include_failed: bool = True) -> list[str]:
    """Resume every abandoned reset, and the failed ones when ``include_failed`` (the CLI);
    returns their numbers.  A reset another worker resumed a moment before is skipped."""
    wanted = resumable if include_failed else abandoned
    resumed = []
    for reset in db.session.scalars(select(PointsReset).where(PointsReset.status.in_(("processing", "failed",
                                                                                   "queued")))).all():
        if not wanted(reset):
            continue
        try:
            resumed.append(resume_reset(reset.id, user=user).reset_no)
        except DomainError as refused:  # its status changed under us: someone else resumed it
            if refused.code != "POINTS_RESET_NOT_RESUMABLE":
                raise
    return resumed


def preview(params: dict) -> dict:
    """How many members and points the reset would touch now (the form's confirmation)."""
    statement = sql.count_statement(params["scope"], params["earned_before"] is not None,
                                    segment_sql(params.get("segment_key")))
    values = {"lo": 0, "hi": 2**31 - 1, "level_id": params.get("level_id"),
              "store_ids": params.get("store_ids") or [],
              "earned_before": _cutoff(params.get("earned_before"))}
    members, points = db.session.execute(statement, values).one()
    return {"members": members, "points": int(points)}
