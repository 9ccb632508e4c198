"""Demo member levels and members (the members domain's ``DEMO``)."""

from __future__ import annotations

from app.demo import get_or_add
from app.extensions import db
from app.unit_of_work import unit_of_work

DEMO_LEVELS = [("L1", "普通会员", 0), ("L2", "银卡会员", 100000), ("L3", "金卡会员", 500000)]
DEMO_MEMBERS = [  # phone, name, home store, opening stored value fen (app/loyalty/demo.py)
    ("13900000001", "陈晓明", "S001", 50000),
    ("13900000002", "林静", "S001", 0),
    ("13900000003", "欧阳娜娜", "S002", 20000),
    ("13900000004", "王强", "S002", 0),
    ("13900000005", "刘洋", "S003", 10000),
]


def seed_demo() -> int:
    """Create the missing levels and members; returns how many records were created."""
    from app.members.models import Member, MemberLevel
    from app.org.demo import demo_stores

    stores = demo_stores()
    created = 0
    with unit_of_work():
        for code, name, threshold in DEMO_LEVELS:
            created += get_or_add(MemberLevel, {"code": code}, name=name, threshold_fen=threshold)[1]
        lowest = db.session.query(MemberLevel).filter_by(code="L1").one()
        for phone, name, store_code, _balance in DEMO_MEMBERS:
            created += get_or_add(Member, {"phone": phone}, member_no=f"M{phone[-6:]}", name=name,
                                  home_store_id=stores[store_code].id, status="active", level_id=lowest.id)[1]
    return created
