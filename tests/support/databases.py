"""Test databases: the run's seeded database and clones of it for tests that must commit.

SQLite: files in the run's folder (a clone is a copy of the file).  PostgreSQL: databases
next to ``TEST_DATABASE_URL``'s (a clone is ``CREATE DATABASE … TEMPLATE`` the seeded one).
"""

from __future__ import annotations

import os
import sqlite3
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.environment import RUN_DIR


def new_database_url() -> str:
    """An empty database for this run."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        return f"sqlite:///{RUN_DIR / f'test-{uuid.uuid4().hex[:8]}.db'}"
    return _create(make_url(server), template=None)


def clone_database(url: str) -> str:
    """A copy of the database at ``url``: no connection may be open on it (PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        copy = RUN_DIR / f"clone-{uuid.uuid4().hex[:8]}.db"
        source, target = sqlite3.connect(parsed.database), sqlite3.connect(copy)
        try:
            source.backup(target)  # takes what the WAL file holds too
        finally:
            source.close()
            target.close()
        return str(parsed.set(database=str(copy)))
    return _create(parsed, template=parsed.database)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(parsed.database + suffix)
            except FileNotFoundError:
                pass
        return
    _server_command(parsed, f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def _create(server, template: str | None) -> str:
    name = f"retail_test_{uuid.uuid4().hex[:8]}"
    _server_command(server, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return server.set(database=name).render_as_string(hide_password=False)


def _server_command(url, statement: str) -> None:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()
