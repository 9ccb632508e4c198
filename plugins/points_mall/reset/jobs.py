"""The points reset's background job (``points_mall.reset``) and the worker's periodic resume."""

from app.platform.jobs import job_progress
from plugins.points_mall.reset.services import resume_stalled, run_reset


def reset_points_job(job, reset_id):
    """Run (or continue) a points reset with a progress bar; the job's message says what it did."""
    reset = run_reset(reset_id, job_id=job.id, progress=lambda done, total: job_progress(job, done, total))
    if reset is not None:
        job.message = f"{reset.reset_no}: {reset.member_count} members, {reset.points_total} points"


def resume_abandoned_resets():
    """Periodic task: queue a new job for every reset whose worker died (stalled past
    ``points_mall.reset_stall_minutes``); it continues after its checkpoint."""
    resume_stalled(include_failed=False)
