"""Demo data: one service provider, with the demo login ``provider1`` bound to it."""

from __future__ import annotations

from app.extensions import db
from app.unit_of_work import unit_of_work
from plugins.recycle.models import RecycleProvider, RecycleProviderUser

DEMO_PROVIDER = "绿环回收服务商"


def seed_demo() -> int:
    """Idempotent: a second run adds nothing.  Returns how many rows it added."""
    from flask_appbuilder.security.sqla.models import User

    added = 0
    with unit_of_work():
        provider = db.session.query(RecycleProvider).filter_by(name=DEMO_PROVIDER).one_or_none()
        if provider is None:
            provider = RecycleProvider(name=DEMO_PROVIDER, contact_name="李经理", contact_phone="13800000901",
                                       settlement_account="6222 0000 0000 0901")
            db.session.add(provider)
            db.session.flush()
            added += 1
        user = db.session.query(User).filter_by(username="provider1").one_or_none()
        bound = user is not None and db.session.query(RecycleProviderUser).filter_by(user_id=user.id).first()
        if user is not None and not bound:
            db.session.add(RecycleProviderUser(user_id=user.id, provider_id=provider.id))
            added += 1
    return added
