from app.extensions import db
from app.platform.jobs import job_progress
from retail_test_plugin.models import SampleNote

TICKS: list[str] = []  # one entry per run of the periodic task, for assertions


def tick():
    TICKS.append(db.session.connection().dialect.name)  # runs with a database session


def broken_tick():
    raise RuntimeError("this periodic task always fails")


def count_notes(job, batch):
    total = db.session.query(SampleNote).count()
    seen = 0
    while seen < total:
        seen = min(total, seen + batch)
        job_progress(job, seen, total)
    job.message = f"{total} notes"


def failing_job(job):
    raise RuntimeError("this job always fails")
