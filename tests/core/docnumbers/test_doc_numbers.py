"""Document numbers are unique and gap-free per type/store/day, even under concurrency."""

import threading
from datetime import date

import pytest

from app.docnumbers.services import DOC_TYPES, keyed_doc_no, next_doc_no, register_doc_types
from app.extensions import db


def test_numbers_are_readable_and_sequential(app_ctx):
    day = date(2031, 1, 2)
    first = next_doc_no("IN", "S009", on=day)
    second = next_doc_no("IN", "S009", on=day)
    db.session.commit()
    assert (first, second) == ("IN20310102S0090001", "IN20310102S0090002")
    assert next_doc_no("IN", "S008", on=day).endswith("S0080001")  # per store
    db.session.rollback()
    assert next_doc_no("IN", "S008", on=day).endswith("S0080001")  # a rolled-back number is reused


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_concurrent_reservations_never_share_a_number(app, is_postgres):
    count = 30 if is_postgres else 8
    numbers, errors = [], []
    barrier = threading.Barrier(count)
    day = date(2031, 3, 4)

    def reserve():
        with app.app_context():
            barrier.wait()
            for _ in range(5):
                try:
                    number = next_doc_no("ST", "S007", on=day)
                    db.session.commit()
                    numbers.append(number)
                    return
                except Exception as exc:  # SQLite: database is locked → retry like the API does
                    db.session.rollback()
                    errors.append(exc)

    threads = [threading.Thread(target=reserve) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == count
    assert sorted(numbers) == [f"ST20310304S007{i:04d}" for i in range(1, count + 1)]


def test_plugin_document_types_are_declared_once(app_ctx):
    register_doc_types({"ZZ": "test document"})
    try:
        register_doc_types({"ZZ": "test document"})  # the same declaration again (a re-import) is fine
        assert next_doc_no("ZZ", "S009", on=date(2031, 5, 6)) == "ZZ20310506S0090001"
        with pytest.raises(ValueError, match="taken"):
            register_doc_types({"ZZ": "another document"})
        with pytest.raises(ValueError, match="taken"):
            register_doc_types({"SO": "not a sale"})
        with pytest.raises(ValueError, match="upper-case"):
            register_doc_types({"z1": "bad code"})
        with pytest.raises(ValueError, match="unknown"):
            next_doc_no("ZY", "S009")
    finally:
        db.session.rollback()
        DOC_TYPES.pop("ZZ")


def test_a_keyed_number_has_the_same_shape_and_takes_no_counter(app_ctx):
    assert keyed_doc_no("SO", "S009", "ABC123", on=date(2031, 1, 2)) == "SO20310102S009ABC123"
    assert next_doc_no("SO", "S009", on=date(2031, 1, 2)).endswith("S0090001")
    db.session.rollback()


def test_a_block_of_numbers_follows_single_ones_and_sql_formats_them_alike(app_ctx):
    from sqlalchemy import text

    from app.docnumbers.services import doc_no_sql, format_doc_no, reserve_doc_nos

    day = date(2031, 5, 6)
    assert next_doc_no("PT", "S006", on=day) == "PT20310506S0060001"
    prefix, first = reserve_doc_nos("PT", 10_000, "S006", on=day)
    assert (prefix, first) == ("PT20310506S006", 2)
    assert next_doc_no("PT", "S006", on=day) == "PT20310506S00610002"  # after the block, grown past 4 digits
    fresh_prefix, fresh_first = reserve_doc_nos("PT", 3, "S005", on=day)  # no counter row yet
    assert (fresh_prefix, fresh_first) == ("PT20310506S005", 1)
    assert next_doc_no("PT", "S005", on=day) == "PT20310506S0050004"
    expression = doc_no_sql(":n_seq", db.engine.dialect.name)
    for sequence in (first, 123, 10_001):
        values = {"n_prefix": prefix, "n_seq": sequence}
        shown = db.session.execute(text(f"SELECT {expression}"), values).scalar()
        assert shown == format_doc_no("PT", "20310506", "S006", sequence)
    db.session.rollback()
    with pytest.raises(ValueError):
        reserve_doc_nos("PT", 0, "S006", on=day)
