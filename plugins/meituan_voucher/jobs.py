"""Background jobs of the Meituan voucher plugin (declared in its manifest's ``JOBS``)."""

from __future__ import annotations

import time

from app.platform.jobs import job_progress
from plugins.meituan_voucher.signing import business_date


def reconcile_job(job, day: str | None = None, store: str | None = None) -> None:
    from plugins.meituan_voucher.recon import reconcile_all

    results = reconcile_all(
        day or business_date(time.time() - 86400),
        store,
        progress=lambda done, total: job_progress(job, done, total),
    )
    flagged = [f"{r.store.code}:{r.status}" for r in results if r.status != "ok"]
    job.message = f"{len(results)} stores; " + (", ".join(flagged) if flagged else "all ok")
