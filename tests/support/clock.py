"""The store's clock in tests: a UTC server (``utc_server`` fixture) and a frozen
``datetime.now`` of ``app.formatting`` (the store clock: ``store_today``, ``timestamp``)."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import app.formatting as formatting


@pytest.fixture(name="utc_server")
def utc_server_fixture(monkeypatch):
    """The server's own clock (naive ``datetime.now``, ``date.today``) runs on UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def frozen_at(monkeypatch, instant: datetime) -> None:
    """Every ``datetime.now`` of the store clock answers ``instant``."""

    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return instant.astimezone(tz) if tz else instant.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    monkeypatch.setattr(formatting, "datetime", FrozenDatetime)
