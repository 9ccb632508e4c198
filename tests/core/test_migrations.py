"""Alembic migrations (core + plugin branches) and the models agree."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from sqlalchemy import inspect

from app.extensions import db

pytestmark = pytest.mark.own_database  # Alembic opens its own connection


def test_migrations_match_models(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Model.metadata)
    assert diff == []


def test_every_installed_plugin_is_at_its_head(app_ctx):
    from alembic.script import ScriptDirectory

    from app.migrations import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    applied = {rev.revision for rev in script.iterate_revisions(tuple(current), "base")}
    assert set(script.get_heads()) <= applied
    assert {"core_0001", "sample_0001"} <= {rev.revision for rev in script.walk_revisions()}
    assert "sample_note" in inspect(db.engine).get_table_names()
