"""Logged-in clients, bearer tokens, store users and SQL statement recording."""

from __future__ import annotations

from tests.support.app import PASSWORD


def login(app, username, password=PASSWORD):
    client = app.test_client()
    response = client.post(
        "/login/", data={"username": username, "password": password}, follow_redirects=False
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def api_token(app, username, password=PASSWORD) -> str:
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": False},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def add_store_user(app, username, role="POS", store_code="S001"):
    """A user of ``role`` working at ``store_code`` (created once)."""
    from app.extensions import db
    from app.org.models import Store
    from app.platform.staff import Staff

    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(username, username, "", f"{username}@demo.local", sm.find_role(role),
                               password=PASSWORD)
            store = db.session.query(Store).filter_by(code=store_code).one()
            db.session.add(Staff(user_id=user.id, store_id=store.id, employee_no=f"E{user.id:04d}",
                                 name=username))
            db.session.commit()
        return user.id


def statements_of(app, call):
    """``(call()'s answer, the SQL statements it sent)``."""
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def record(conn, cursor, statement, params, context, executemany):
        # role grants are cached per worker in production (PERMISSION_CACHE_SECONDS; 0 in tests)
        if "ab_permission" not in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return answer, seen
