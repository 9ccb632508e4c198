"""The day in a document number is the store's date (setting ``core.time_zone``), not the
server's: the clock is frozen near midnight UTC on a UTC server."""

from datetime import UTC, datetime

import pytest

from app.docnumbers.services import next_doc_no
from app.extensions import db
from tests.support.clock import frozen_at, utc_server_fixture  # noqa: F401 (fixture)
from tests.support.settings import kept_settings


def _number(app, doc_type: str, store_code: str) -> str:
    with app.app_context():  # a fresh context: the store's time zone is read again
        number = next_doc_no(doc_type, store_code)
        db.session.rollback()
    return number


@pytest.mark.parametrize(("utc_time", "beijing_day"), [
    ("2031-06-30T16:30:00", "20310701"),  # 00:30 in Beijing, still the 30th on the server
    ("2031-06-30T15:30:00", "20310630"),  # 23:30 in Beijing
    ("2031-12-31T16:00:00", "20320101"),  # midnight in Beijing: a new year on the store's clock
])
def test_a_number_carries_the_store_date_not_the_server_date(app, utc_server, monkeypatch, utc_time,
                                                             beijing_day):
    frozen_at(monkeypatch, datetime.fromisoformat(utc_time).replace(tzinfo=UTC))
    with kept_settings(app, {"core.time_zone": "Asia/Shanghai"}):
        assert _number(app, "IN", "S991") == f"IN{beijing_day}S9910001"


def test_a_store_on_utc_keeps_the_utc_date(app, utc_server, monkeypatch):
    frozen_at(monkeypatch, datetime(2031, 6, 30, 16, 30, tzinfo=UTC))
    with kept_settings(app, {"core.time_zone": "UTC"}):
        assert _number(app, "OUT", "S992") == "OUT20310630S9920001"
