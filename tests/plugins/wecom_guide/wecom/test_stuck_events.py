"""A callback event left "received" (being processed) by a worker that died: within its lease
WeCom's retries are duplicates; after the lease the next delivery of the same event, or the
job any later delivery queues (``wecom_guide.retry_stuck_events``), processes it exactly once.

The crash is real as far as the database can tell: the callback's first step (claiming the
event's row, committed) runs, and nothing after it does, as when the process is killed there.
These tests run on a database of their own: the queued job runs (HUEY_IMMEDIATE) on its own
connection, as the worker would."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from plugins.wecom_guide.models import GuideMember, OwnershipEvent, WeComContact, WeComEvent
from tests.support.wecom import guide_with_qr, new_member, wecom_fixture, wecom_sim_fixture  # noqa: F401  (fixtures)
from tests.support.wecom_guide import guides_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.own_database


def _crashed_scan(app, wecom, qr, member) -> tuple[dict, int]:
    """A customer scans the guide's QR; our worker claims the event and dies before processing."""
    from plugins.wecom_guide.wecom.events import claim

    url, wecom.state.callback_url = wecom.state.callback_url, ""  # built by WeCom, not yet delivered
    scanned = wecom.state.scan(qr["config_id"], phone=member["phone"])
    wecom.state.callback_url = url
    with app.app_context():
        event_id = claim(scanned["event"])  # the callback's first step, committed; then the crash
    assert event_id is not None
    return scanned, event_id


def _event(app, event_id) -> WeComEvent:
    with app.app_context():
        row = db.session.get(WeComEvent, event_id)
        db.session.expunge(row)
        return row


def _age(app, event_id, minutes) -> None:
    with app.app_context():
        db.session.execute(update(WeComEvent).where(WeComEvent.id == event_id)
                           .values(claimed_at=datetime.now() - timedelta(minutes=minutes)))
        db.session.commit()


def _owner(app, member_id):
    with app.app_context():
        return db.session.scalar(select(GuideMember.staff_id).where(GuideMember.member_id == member_id))


def _links(app, member_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(OwnershipEvent)
            .where(OwnershipEvent.member_id == member_id, OwnershipEvent.action == "link")
        )


def test_the_same_event_redelivered_after_the_lease_is_processed_once(app, wecom):
    qr = guide_with_qr(app)
    member = new_member(app)
    scanned, event_id = _crashed_scan(app, wecom, qr, member)
    assert _event(app, event_id).status == "received" and _owner(app, member["id"]) is None
    # WeCom's retry within the lease: the event may still be in hand, nothing is done twice
    assert [d["status"] for d in wecom.state.deliver(scanned["event"])] == [200]
    assert (_event(app, event_id).status, _owner(app, member["id"])) == ("received", None)
    _age(app, event_id, 6)  # the 5-minute lease passes
    assert [d["status"] for d in wecom.state.deliver(scanned["event"])] == [200]
    row = _event(app, event_id)
    assert (row.status, row.result, row.attempts) == ("done", "linked", 2)
    assert row.welcome_status == "sent" and len(wecom.state.welcomes) == 1  # WeCom's retry has the code
    assert _owner(app, member["id"]) == qr["staff_id"] and _links(app, member["id"]) == 1
    wecom.state.deliver(scanned["event"])  # and once more: a duplicate
    assert _event(app, event_id).attempts == 2 and _links(app, member["id"]) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WeComContact)
                                 .where(WeComContact.external_userid == scanned["external_userid"])) == 1


def test_a_later_delivery_queues_the_job_that_takes_stuck_events_again(app, wecom, guides):
    from app.platform.models import Job

    qr = guide_with_qr(app)
    stuck_member, other_member = new_member(app), new_member(app)
    _, event_id = _crashed_scan(app, wecom, qr, stuck_member)
    guides.settings(event_lease_minutes=2)
    _age(app, event_id, 1)  # within the lease: another customer's event leaves it alone
    wecom.state.scan(qr["config_id"], phone=other_member["phone"])
    assert _event(app, event_id).status == "received" and _owner(app, stuck_member["id"]) is None
    _age(app, event_id, 3)
    later = wecom.state.scan(qr["config_id"], phone=new_member(app)["phone"])
    assert [d["status"] for d in later["deliveries"]] == [200]
    with app.app_context():
        [job] = db.session.scalars(select(Job).where(Job.name == "wecom_guide.retry_stuck_events")).all()
        assert (job.status, job.message) == ("done", "1 stuck WeCom events processed again")
    row = _event(app, event_id)
    assert (row.status, row.result, row.attempts) == ("done", "linked", 2)
    assert row.welcome_status == "skipped"  # the job has no WelcomeCode (not kept; it lasts 20 s)
    assert _owner(app, stuck_member["id"]) == qr["staff_id"] and _links(app, stuck_member["id"]) == 1
    # the command (a cron, an admin) finds nothing left: each event is processed once
    out = app.test_cli_runner().invoke(args=["wecom-guide-retry-events"])
    assert out.exit_code == 0 and out.output.startswith("0 stuck"), out.output
    assert _event(app, event_id).attempts == 2 and _links(app, stuck_member["id"]) == 1


def test_the_workers_periodic_task_takes_a_stuck_event_with_no_later_delivery(app, wecom, guides):
    from app.platform.jobs import run_periodic_tasks

    qr = guide_with_qr(app)
    member = new_member(app)
    _, event_id = _crashed_scan(app, wecom, qr, member)
    guides.settings(event_lease_minutes=2)
    _age(app, event_id, 1)
    assert run_periodic_tasks(app) == []  # within the lease: left alone
    assert _event(app, event_id).status == "received" and _owner(app, member["id"]) is None
    _age(app, event_id, 3)
    assert run_periodic_tasks(app) == []
    row = _event(app, event_id)
    assert (row.status, row.result, row.attempts) == ("done", "linked", 2)
    assert _owner(app, member["id"]) == qr["staff_id"] and _links(app, member["id"]) == 1
    run_periodic_tasks(app)  # the next minute: nothing left to take
    assert _event(app, event_id).attempts == 2 and _links(app, member["id"]) == 1


def test_two_takers_of_a_stuck_event_one_wins(app, wecom):
    from plugins.wecom_guide.wecom.events import take_again

    qr = guide_with_qr(app)
    member = new_member(app)
    _, event_id = _crashed_scan(app, wecom, qr, member)
    with app.app_context():
        assert take_again(event_id) is False  # within the lease
    _age(app, event_id, 10)
    with app.app_context():
        assert [take_again(event_id), take_again(event_id)] == [True, False]
    assert _event(app, event_id).attempts == 2
