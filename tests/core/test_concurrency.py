"""Idempotency under concurrent retries (threads, real database)."""

import threading

import pytest

from app.extensions import db


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_concurrent_retries_with_one_key_act_once(app, api_as):
    clients = [api_as("pos1") for _ in range(10)]
    results = []
    barrier = threading.Barrier(len(clients))

    def post(client):
        barrier.wait()
        response = client.post("/api/v1/sample/notes", json={"text": "race-key"},
                               headers={"Idempotency-Key": "race-1"})
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        from retail_test_plugin.models import SampleNote

        assert db.session.query(SampleNote).filter_by(text="race-key").count() == 1
    # every answer is the one success (first or replayed) or a clean "in progress" / busy retry
    created = [body for status, body in results if status == 201]
    assert created and all(body == created[0] for body in created)
    retries = [(status, body["error"]["code"]) for status, body in results if status != 201]
    assert {status for status, _ in retries} <= {409}
    assert {code for _, code in retries} <= {"IDEMPOTENCY_IN_PROGRESS", "BUSY_RETRY"}
    assert len(created) + len(retries) == len(clients)
