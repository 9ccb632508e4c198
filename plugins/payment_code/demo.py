"""Demo data (retail_seed_demo): a batch of 20 stored-value cards of 100.00 yuan with printed pay
QR codes (``DEMO00000001`` …), the first bound to the demo member 13900000001. Idempotent."""

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.members.models import Member
from app.unit_of_work import unit_of_work
from plugins.payment_code import cards
from plugins.payment_code.models import Card, CardBatch

DEMO_BATCH = "演示储值卡 / Demo stored-value cards"


def seed_demo() -> int:
    """Returns how many cards it made (0 on a second run)."""
    if db.session.scalar(select(CardBatch.id).where(CardBatch.name == DEMO_BATCH)) is not None:
        return 0
    with unit_of_work():  # the generation joins it: all of it, or nothing
        batch = CardBatch(name=DEMO_BATCH, count=20, card_prefix="DEMO", number_length=8, start_value=1,
                          face_value_fen=10_000, valid_until=date.today() + timedelta(days=365),
                          code_kind="qr", leak_acknowledged=True)
        cards.validate_batch(batch)
        batch.batch_no = cards.next_store_doc_no(cards.CARD_BATCH, None)
        db.session.add(batch)
        db.session.flush()
        made = cards.generate_batch(batch.id)
        member = db.session.scalar(select(Member).where(Member.phone == "13900000001"))
        first = db.session.scalar(select(Card).where(Card.card_no == cards.card_no(batch, 1)))
        if member is not None and first is not None:
            cards.bind_unbound(first, member)
    return made
