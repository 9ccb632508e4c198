"""Demo data of the WeCom integration: the settings of the local simulator's demo corp (only
while no corp is set) and the demo guide ``guide1`` bound to the simulator's userid ``guide1``.
The QR itself is made on **WeCom → WeCom guides → Make WeCom QR** once the simulator runs
(``dev.py run`` starts it).  Idempotent."""

from __future__ import annotations

from app.extensions import db
from app.platform.settings import get_setting, set_setting
from app.platform.staff import Staff
from plugins.wecom_guide.models import WeComContactWay


def seed_demo() -> int:
    from flask_appbuilder.security.sqla.models import User

    from plugins.wecom_guide.wecom import simulator as sim
    from plugins.wecom_guide.wecom.contact_way import bind_wecom_user

    added = 0
    if not get_setting("wecom_guide.corp_id"):
        for key, value in (
            ("corp_id", sim.DEMO_CORP_ID),
            ("corp_secret", sim.DEMO_SECRET),
            ("callback_token", sim.DEMO_CALLBACK_TOKEN),
            ("encoding_aes_key", sim.DEMO_AES_KEY),
            ("agent_id", sim.DEMO_AGENT_ID),
        ):
            set_setting(f"wecom_guide.{key}", value)
            added += 1
    staff = (
        db.session.query(Staff).join(User, User.id == Staff.user_id).filter(User.username == "guide1").first()
    )
    if (
        staff is not None
        and db.session.query(WeComContactWay.id).filter_by(staff_id=staff.id).first() is None
    ):
        bind_wecom_user(staff.id, "guide1")
        added += 1
    return added
