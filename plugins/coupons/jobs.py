"""Background jobs of the coupons plugin."""

from app.platform.jobs import job_progress
from plugins.coupons.generation import generate_batch


def generate_coupons_job(job, batch_id):
    """Generate a physical rule's coupons (``coupons.generate``) with a progress bar."""
    written = generate_batch(batch_id, progress=lambda done, total: job_progress(job, done, total))
    job.message = f"{written} coupons"
