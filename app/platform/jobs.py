"""Background jobs on Huey, with a ``core_job`` row for status and progress.

SQLite-backed queue by default (file under instance/), Redis-backed when
REDIS_URL is set, immediate (run inline) when HUEY_IMMEDIATE is true (tests).
Jobs come from the core and from plugins (``retail_register_jobs``).  Periodic tasks
(``retail_register_periodic_tasks``) are run by the worker when it starts and every minute.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey, crontab

from app.extensions import db
from app.platform.models import Job


def make_huey(app: Flask):
    immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    if app.config.get("REDIS_URL"):
        huey = RedisHuey("retail_admin", url=app.config["REDIS_URL"], immediate=immediate)
    else:
        huey = SqliteHuey(
            "retail_admin", filename=app.config["HUEY_SQLITE_PATH"], immediate=immediate
        )

    @huey.task()
    def run_job(job_id: int) -> None:
        with app.app_context():
            execute_job(job_id)

    @huey.periodic_task(crontab())  # scheduled by each running worker, every minute
    def run_periodic() -> None:
        run_periodic_tasks(app)

    app.extensions["retail_jobs"] = {"huey": huey, "run_job": run_job, "functions": {}, "periodic": {},
                                      "is_enabled": lambda package: True}
    return huey


def run_periodic_tasks(app: Flask) -> list[str]:
    """Run the periodic task of every enabled package, each in its own app context; one
    failing is logged and the others still run.  Returns the names of those that failed."""
    jobs = app.extensions["retail_jobs"]
    failed = []
    for name, (package, function) in jobs["periodic"].items():
        with app.app_context():
            if not jobs["is_enabled"](package):
                continue
            try:
                function()
            except Exception:  # the next minute tries again
                db.session.rollback()
                app.logger.exception("periodic task %s failed", name)
                failed.append(name)
    return failed


def register_jobs(app: Flask, functions: dict, periodic: dict | None = None,
                  is_enabled: Callable[[str], bool] | None = None) -> None:
    """Add jobs ``{name: function}`` and periodic tasks ``{name: (package, function)}``; the
    worker runs a package's periodic task while ``is_enabled(package)`` says so."""
    jobs = app.extensions["retail_jobs"]
    jobs["functions"].update(functions)
    jobs["periodic"].update(periodic or {})
    if is_enabled is not None:
        jobs["is_enabled"] = is_enabled


def enqueue_job(name: str, user=None, **params) -> Job:
    """Record a job and queue it; returns the ``Job`` row (committed)."""
    jobs = current_app.extensions["retail_jobs"]
    if name not in jobs["functions"]:
        raise KeyError(f"no job named {name!r}")
    job = Job(name=name, params=params, status="queued", created_by_fk=getattr(user, "id", None))
    db.session.add(job)
    db.session.commit()
    jobs["run_job"](job.id)
    db.session.expire(job)  # it may have run already (immediate mode, fast worker)
    return job


def execute_job(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.status in ("done", "running"):
        return  # already run by another worker: safe to deliver twice
    function = current_app.extensions["retail_jobs"]["functions"][job.name]
    job.status = "running"
    db.session.commit()
    try:
        function(job, **(job.params or {}))
    except Exception as exc:  # the job row says why; the worker keeps going
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.status = "failed"
        job.message = str(exc)[:2000]
        current_app.logger.exception("job %s failed", job_id)
    else:
        job.status = "done"
        job.done = job.total or job.done
    job.finished_on = datetime.now()
    db.session.commit()


def job_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Move a running job's progress bar (commits the job's work so far)."""
    job.done = done
    if total is not None:
        job.total = total
    if message:
        job.message = message
    db.session.commit()
