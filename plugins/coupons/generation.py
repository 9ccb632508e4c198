"""Physical coupon generation (生成): an audited rule's code rule turned into coupon rows.

Runs as a background job with a progress bar; rows go in with set-based bulk
INSERTs of ``CHUNK`` rows. Safe to run twice: it continues after the rows it
already wrote.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from app.errors import DomainError
from app.extensions import db
from app.unit_of_work import unit_of_work
from plugins.coupons.models import Coupon, CouponBatch, CouponRule
from plugins.coupons.numbers import BATCH, next_coupon_doc_no
from plugins.coupons.rules import coupon_code

CHUNK = 10_000


def request_generation(rule: CouponRule, user=None) -> CouponBatch:
    """Check the rule may be generated, reserve it (guarded UPDATE) and queue the job; commits."""
    from app.platform.jobs import enqueue_job

    if rule.medium != "physical":
        raise DomainError("COUPON_NOT_PHYSICAL", _l("Only physical coupons are generated."))
    if rule.status != "audited":
        raise DomainError("COUPON_RULE_NOT_AUDITED", _l("This coupon rule is not audited yet."))
    if rule.disabled:
        raise DomainError("COUPON_RULE_DISABLED", _l("This coupon rule is disabled."))
    with unit_of_work():
        reserved = db.session.execute(
            update(CouponRule)
            .where(CouponRule.id == rule.id, CouponRule.generated_count == 0)
            .values(generated_count=CouponRule.total_count)
            .execution_options(synchronize_session=False)
        ).rowcount
        if reserved != 1:
            raise DomainError(
                "COUPON_ALREADY_GENERATED", _l("The coupons of this rule were generated already.")
            )
        batch = CouponBatch(
            batch_no=next_coupon_doc_no(BATCH), rule_id=rule.id, count=rule.total_count,
            created_by_fk=getattr(user, "id", None),
        )
        db.session.add(batch)
    job = enqueue_job("coupons.generate", user=user, batch_id=batch.id)
    with unit_of_work():
        batch = db.session.get(CouponBatch, batch.id)
        if batch.job_id is None:
            batch.job_id = job.id
    return batch


def _random_codes(length: int, count: int, taken: set[str]) -> list[str]:
    """``count`` unique random numbers of ``length`` digits (no leading zero), not in ``taken``."""
    low = 10 ** (length - 1)
    codes: list[str] = []
    while len(codes) < count:
        code = str(low + secrets.randbelow(9 * low))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def coupon_rows(rule: CouponRule, batch_id: int, start_index: int, count: int, taken: set[str]) -> list[dict]:
    """The rows of coupons ``start_index`` .. ``start_index + count - 1`` of a batch."""
    if rule.offer_type == "recharge":
        codes = _random_codes(rule.recharge_code_length, count, taken)
        existing = set(db.session.scalars(select(Coupon.code).where(Coupon.code.in_(codes))))
        while existing:  # collided with an older voucher: draw again for those
            codes = [c for c in codes if c not in existing]
            codes += _random_codes(rule.recharge_code_length, count - len(codes), taken)
            existing = set(db.session.scalars(select(Coupon.code).where(Coupon.code.in_(codes))))
    else:
        first = rule.start_value + start_index
        codes = [coupon_code(rule, n) for n in range(first, first + count)]
    now = datetime.now()
    return [
        {
            "rule_id": rule.id,
            "batch_id": batch_id,
            "code": code,
            "status": "generated",
            "channel": "",
            "app_id": "",
            "payment_method": "",
            "created_on": now,
        }
        for code in codes
    ]


def generate_batch(batch_id: int, progress=None) -> int:
    """Insert the batch's coupons in chunks, each chunk committed; returns how many rows it wrote."""
    with unit_of_work():
        batch = db.session.get(CouponBatch, batch_id)
        done = db.session.scalar(select(func.count(Coupon.id)).where(Coupon.batch_id == batch.id)) or 0
        batch.status = "running"
    written = 0
    taken: set[str] = set()
    while done < batch.count:
        size = min(CHUNK, batch.count - done)
        with unit_of_work():
            db.session.execute(insert(Coupon), coupon_rows(batch.rule, batch.id, done, size, taken))
        done += size
        written += size
        if progress is not None:
            progress(done, batch.count)
    with unit_of_work():
        db.session.get(CouponBatch, batch_id).status = "done"
    return written
