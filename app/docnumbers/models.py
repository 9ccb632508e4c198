from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class DocSequence(Model):
    """Last number used per document type, store and day."""

    __tablename__ = "core_doc_sequence"
    doc_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    store_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
