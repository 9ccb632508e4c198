"""``seed-demo``: every package's demo data, through the hook plugins use (``retail_seed_demo``).

A package declares its demo in its manifest (``DEMO = "app.org.demo:seed_demo"``) and the
plugin host calls them one package at a time in dependency order: the core domains by
``ORDER`` -- org (stores, staff logins), members, catalog, inventory (opening stock), sales (a
month of store activity) -- then the enabled plugins.  Running it twice adds nothing.
"""

from __future__ import annotations

from flask import current_app

from app.extensions import db


def seed_demo(password: str = "demo1234") -> int:
    """Create what is missing; returns how many records the packages report created."""
    return current_app.extensions["retail_plugins"].seed_demo(password)  # the app's PluginHost


def get_or_add(model, lookup: dict, **fields) -> tuple[object, int]:
    """The row of ``model`` matching ``lookup``, added with ``fields`` if missing: (row, 1 if added)."""
    row = db.session.query(model).filter_by(**lookup).one_or_none()
    if row is not None:
        return row, 0
    row = model(**lookup, **fields)
    db.session.add(row)
    db.session.flush()
    return row, 1
