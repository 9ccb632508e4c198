"""Demo data of the wecom_guide plugin (``seed-demo`` while it is enabled; idempotent): a chat
materials library, guide1 as the dedicated guide of two S001 demo members, and the ``wecom``
section's demo (the simulator's demo corp, guide1 bound to its userid)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.members.models import Member
from app.platform.staff import Staff
from app.unit_of_work import unit_of_work
from plugins.wecom_guide.models import GuideMember, Material, MaterialGroup

MATERIALS = {
    "新品推荐": [
        ("text", "秋装上新", "亲，秋季新款已到店，欢迎来试穿！", ""),
        ("link", "新品画册", "点开看看本季新款", "https://example.com/lookbook"),
    ],
    "节日问候": [("text", "中秋问候", "中秋快乐！到店出示会员码有礼相送。", "")],
}
OWNED_PHONES = ("13900000001", "13900000002")


def seed_demo() -> int:
    added = 0
    with unit_of_work():
        for sort, (group_name, items) in enumerate(MATERIALS.items()):
            group = db.session.scalar(select(MaterialGroup).where(MaterialGroup.name == group_name))
            if group is None:
                group = MaterialGroup(name=group_name, sort=sort)
                db.session.add(group)
                db.session.flush()
                added += 1
                for kind, title, body, url in items:
                    db.session.add(Material(group_id=group.id, kind=kind, title=title, body=body, url=url))
                    added += 1
        guide = db.session.scalar(select(Staff).where(Staff.employee_no == "E0103"))  # guide1
        if guide is not None:
            for member_id in db.session.scalars(select(Member.id).where(Member.phone.in_(OWNED_PHONES))):
                if db.session.get(GuideMember, member_id) is None:
                    db.session.add(
                        GuideMember(
                            member_id=member_id, staff_id=guide.id, store_id=guide.store_id, source="admin"
                        )
                    )
                    added += 1
    return added + seed_wecom_demo()  # the ``wecom`` section's own demo (the manifest names this one)


def seed_wecom_demo() -> int:
    from plugins.wecom_guide.wecom.demo import seed_demo as wecom_demo

    return wecom_demo()  # (its settings and binding write through their own services)
