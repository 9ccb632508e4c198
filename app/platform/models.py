"""Platform tables: plugin state, audit log, idempotency records, jobs, settings."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column


class PluginState(Model):
    """Enabled flag of a plugin; a plugin without a row uses its default."""

    __tablename__ = "core_plugin_state"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    changed_on: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now(), nullable=False
    )
    changed_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))


class PluginStateVersion(Model):
    """A single row whose number grows at every toggle: workers compare it per request."""

    __tablename__ = "core_plugin_state_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class AuditLog(Model):
    __tablename__ = "core_audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_on: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    username: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    object_type: Mapped[str] = mapped_column(String(64), nullable=False)
    object_id: Mapped[str] = mapped_column(String(64), nullable=False)
    detail: Mapped[dict | None] = mapped_column(JSON)


class IdempotencyRecord(Model):
    """The first response to a POST with an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "core_idempotency"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_core_idempotency_user_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    created_on: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), nullable=False
    )


class Job(Model):
    """A background job and its progress, shown in the admin."""

    __tablename__ = "core_job"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    params: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_on: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), nullable=False
    )
    finished_on: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def progress(self) -> int:
        """Percent done, for the admin's progress bar."""
        if self.status == "done":
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class Setting(Model):
    """Stored value of a typed setting (core or plugin); absent rows use the default."""

    __tablename__ = "core_setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict | list | str | int | bool | None] = mapped_column(JSON)
    changed_on: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now(), nullable=False
    )
    changed_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
