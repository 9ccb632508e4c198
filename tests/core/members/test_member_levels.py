"""F1.4: the paid total moves the level up and down, naming the document."""

import uuid

from app.extensions import db
from app.members.models import LevelChange, Member, MemberLevel
from app.members.services import apply_paid_amount, create_member
from tests.support.members import new_phone, store_id


def test_apply_paid_amount_upgrades_and_downgrades(app):
    sid = store_id(app, "S001")
    with app.app_context():
        tag = uuid.uuid4().hex[:6]
        base = db.session.query(db.func.max(MemberLevel.threshold_fen)).scalar() or 0
        levels = [MemberLevel(code=f"{tag}{i}", name=f"L{i}-{tag}", threshold_fen=base + i * 10_000)
                  for i in (0, 1, 2)]
        db.session.add_all(levels)
        db.session.commit()
        member = create_member(new_phone(), "Level Test", sid)
        db.session.execute(db.update(Member).where(Member.id == member.id).values(paid_total_fen=base))
        db.session.commit()

        up = apply_paid_amount(member.id, 10_000, "SO-UP-1")
        assert up.doc_no == "SO-UP-1" and up.to_level_id == levels[1].id
        assert apply_paid_amount(member.id, 50, "SO-SAME") is None
        up2 = apply_paid_amount(member.id, 10_000, "SO-UP-2")
        assert (up2.from_level_id, up2.to_level_id) == (levels[1].id, levels[2].id)
        down = apply_paid_amount(member.id, -15_000, "RT-DOWN-1")
        assert (down.from_level_id, down.to_level_id) == (levels[2].id, levels[0].id)
        db.session.commit()

        member = db.session.get(Member, member.id)
        assert member.paid_total_fen == base + 5_050
        assert member.level_id == levels[0].id and member.level.name.startswith("L0")
        docs = [c.doc_no for c in db.session.query(LevelChange).filter_by(member_id=member.id)
                .order_by(LevelChange.id)]
        assert docs == ["SO-UP-1", "SO-UP-2", "RT-DOWN-1"]
