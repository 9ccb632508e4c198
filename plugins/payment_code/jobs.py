"""Background jobs of the payment_code plugin."""

from app.platform.jobs import job_progress
from plugins.payment_code.cards import generate_batch


def generate_cards_job(job, batch_id):
    """Make a card batch's cards (``payment_code.generate``) with a progress bar."""
    made = generate_batch(batch_id, progress=lambda done, total: job_progress(job, done, total))
    job.message = f"{made} cards"
