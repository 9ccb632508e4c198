from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.org.models import Store
from app.platform.audit import Audited


class SampleNote(Audited, Model):
    __tablename__ = "sample_note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(String(50), nullable=False)
    store: Mapped[Store] = relationship(Store)


def seed_notes():
    for store in db.session.query(Store).all():
        if not db.session.query(SampleNote).filter_by(store_id=store.id).count():
            db.session.add(SampleNote(store_id=store.id, text=f"note of {store.code}"))
    db.session.commit()
