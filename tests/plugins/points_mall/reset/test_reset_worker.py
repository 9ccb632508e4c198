"""A points reset survives its worker being killed: a real job worker (``flask --app run worker``)
is killed with SIGKILL mid-job; the next worker resumes it by itself (nobody presses Resume), the
resumed job continues after the last committed batch and no member is reset twice (SQLite and
PostgreSQL)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from app.extensions import db
from tests.support.environment import SITE_DIR
from tests.support.plugin_install import subprocess_pythonpath

pytestmark = pytest.mark.own_database  # the worker is another process: it sees only committed rows

ROOT = Path(__file__).resolve().parents[4]
MEMBERS = 300


def _start_worker(db_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": db_url, "HUEY_IMMEDIATE": "0", "REDIS_URL": "",
           "RETAIL_INSTANCE_DIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join(subprocess_pythonpath(SITE_DIR))}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "run", "worker", "--workers", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _members_with_points(count: int) -> dict[int, int]:
    """``count`` members of S001 holding 1..count points (one earn row each); committed."""
    from app.loyalty.models import PointsAccount, PointsTxn
    from app.members.models import Member
    from app.org.models import Store

    store_id = db.session.scalars(select(Store.id).where(Store.code == "S001")).one()
    members = [Member(member_no=f"RK{n:06d}", phone=f"1350000{n:04d}", name="清零", home_store_id=store_id,
                      status="active") for n in range(count)]
    db.session.add_all(members)
    db.session.flush()
    points = {m.id: n + 1 for n, m in enumerate(members)}
    db.session.execute(insert(PointsAccount), [{"member_id": m, "balance": p} for m, p in points.items()])
    accounts = dict(db.session.execute(select(PointsAccount.member_id, PointsAccount.id)
                                       .where(PointsAccount.member_id.in_(points))).all())
    db.session.execute(insert(PointsTxn), [
        {"account_id": accounts[m], "member_id": m, "kind": "earn", "points": p, "balance_after": p,
         "doc_no": "TEST-EARN", "note": ""} for m, p in points.items()])
    db.session.commit()
    return points


def _state(queue_app, reset_id):
    from plugins.points_mall.models import PointsReset

    with queue_app.app_context():
        reset = db.session.get(PointsReset, reset_id)
        return reset.status, reset.checkpoint_member_id, reset.upper_member_id, reset.member_count


def _wait(condition, seconds=60, step=0.01):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


class _RowLock:
    """Holds the write lock a batch needs (SQLite: the database's; PostgreSQL: the reset row's)."""

    def __init__(self, db_url, reset_id):
        self.db_url, self.reset_id = db_url, reset_id

    def __enter__(self):
        if self.db_url.startswith("sqlite"):
            self.conn = sqlite3.connect(self.db_url.removeprefix("sqlite:///"), isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.engine = create_engine(self.db_url)
            self.conn = self.engine.connect()
            self.conn.execute(text("SELECT id FROM points_mall_reset WHERE id = :id FOR UPDATE"),
                              {"id": self.reset_id})
        return self

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()
        if not self.db_url.startswith("sqlite"):
            self.engine.dispose()


def test_a_new_worker_resumes_a_killed_reset_after_its_checkpoint(app, db_url, tmp_path):
    from app.loyalty.models import PointsAccount, PointsTxn
    from app.platform.models import Job
    from app.platform.settings import set_setting
    from tests.support.app import make_app
    from tests.support.points_reset import positive_balances, start_reset

    queue_app = make_app(db_url, HUEY_IMMEDIATE=False, REDIS_URL=None,
                         HUEY_SQLITE_PATH=str(tmp_path / "jobs.db"))
    with queue_app.app_context():
        _members_with_points(MEMBERS)
        before = positive_balances()
        set_setting("points_mall.reset_batch_size", 2)
        set_setting("points_mall.reset_stall_minutes", 0)
        reset = start_reset(reason="年终清零", remark="kill test")
        reset_id, first_job = reset.id, reset.job_id
        assert reset.status == "queued"

    worker = _start_worker(db_url, tmp_path)
    try:
        _wait(lambda: _state(queue_app, reset_id)[1] > 0)  # a batch is committed
        with _RowLock(db_url, reset_id):  # the next batch waits for the lock ...
            time.sleep(0.3)
            worker.send_signal(signal.SIGKILL)  # ... and its worker dies
            worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    status, checkpoint, upper, count = _state(queue_app, reset_id)
    assert status == "processing" and 0 < checkpoint < upper
    with queue_app.app_context():
        rows = db.session.scalars(select(PointsTxn.member_id).where(PointsTxn.kind == "reset")).all()
        assert len(rows) == count and all(m <= checkpoint for m in rows)  # exactly the committed batches
        assert db.session.get(Job, first_job).status == "running"  # what the killed worker left

    worker = _start_worker(db_url, tmp_path)  # a new worker finds the stalled reset at start
    try:
        _wait(lambda: _state(queue_app, reset_id)[0] in ("completed", "failed"))
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    status, checkpoint, upper, count = _state(queue_app, reset_id)
    assert (status, checkpoint, count) == ("completed", upper, len(before))
    with queue_app.app_context():
        assert db.session.get(Job, first_job).status == "failed"
        rows = db.session.execute(select(PointsTxn.member_id, PointsTxn.points, PointsTxn.doc_no)
                                  .where(PointsTxn.kind == "reset")).all()
        assert sorted(m for m, _, _ in rows) == sorted(before)  # each member once
        assert {m: -p for m, p, _ in rows} == before
        indexes = sorted(int(doc[13:]) for _, _, doc in rows)
        assert indexes == list(range(indexes[0], indexes[0] + len(before)))  # numbers without gaps
        assert positive_balances() == {}
        sums = dict(db.session.execute(select(PointsTxn.member_id, func.sum(PointsTxn.points))
                                       .group_by(PointsTxn.member_id)).all())
        balances = dict(db.session.execute(select(PointsAccount.member_id, PointsAccount.balance)).all())
        assert all(sums.get(m, 0) == b for m, b in balances.items())  # balance = sum of the ledger
