"""The job worker (`flask --app run worker`) consumes queued jobs from Redis and from SQLite."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from app.extensions import db
from app.platform.models import Job
from tests.support.environment import SITE_DIR
from tests.support.plugin_install import subprocess_pythonpath

pytestmark = pytest.mark.own_database  # the worker is another process: it sees only committed jobs

ROOT = Path(__file__).resolve().parents[2]


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.RedisError:
        return False


def _run_worker_until_done(queue_app, db_url, extra_env, job_id):
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "HUEY_IMMEDIATE": "0",
        "PYTHONPATH": os.pathsep.join(subprocess_pythonpath(SITE_DIR)),
        **extra_env,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "run", "worker", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with queue_app.app_context():
                status = db.session.get(Job, job_id).status
            if status in ("done", "failed"):
                return status
            time.sleep(0.2)
        return "timeout"
    finally:
        worker.terminate()
        worker.wait(timeout=10)


@pytest.mark.parametrize("backend", ["redis", "sqlite"])
def test_worker_runs_queued_jobs(app, db_url, tmp_path, backend):  # app: migrated + seeded
    from app.platform.jobs import enqueue_job
    from tests.support.app import make_app

    if backend == "redis":
        if not _redis_available():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        redis.Redis.from_url("redis://127.0.0.1:6379/15").flushdb()
        settings = {"REDIS_URL": "redis://127.0.0.1:6379/15"}
        env = {"REDIS_URL": settings["REDIS_URL"]}
    else:
        queue_file = str(tmp_path / "jobs.db")
        settings = {"REDIS_URL": None, "HUEY_SQLITE_PATH": queue_file}
        env = {"REDIS_URL": "", "RETAIL_INSTANCE_DIR": str(tmp_path)}
    queue_app = make_app(db_url, HUEY_IMMEDIATE=False, **settings)
    with queue_app.app_context():
        huey = queue_app.extensions["retail_jobs"]["huey"]
        assert type(huey).__name__ == ("RedisHuey" if backend == "redis" else "SqliteHuey")
        job = enqueue_job("sample.count_notes", batch=1)
        job_id = job.id
        assert db.session.get(Job, job_id).status == "queued"
    assert _run_worker_until_done(queue_app, db_url, env, job_id) == "done"
    with queue_app.app_context():
        job = db.session.get(Job, job_id)
        assert job.progress == 100 and job.total > 0
