from app.extensions import db
from app.platform.jobs import job_progress
from retail_test_plugin.models import SampleNote


def count_notes(job, batch):
    total = db.session.query(SampleNote).count()
    seen = 0
    while seen < total:
        seen = min(total, seen + batch)
        job_progress(job, seen, total)
    job.message = f"{total} notes"


def failing_job(job):
    raise RuntimeError("this job always fails")
