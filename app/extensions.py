"""Extensions shared by the core and plugins (init_app style)."""

from functools import cache

from flask_appbuilder.models.sqla import Model
from flask_appbuilder.models.sqla.base import SQLA
from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

db = SQLA(model_class=Model)


def core_execute(statement, params=None):
    """Run a Core statement on the session's connection, in its transaction.

    For hot-path statements over tables (``Model.__table__``) whose rows are not
    ORM objects (guarded ``UPDATE … RETURNING``, counters): the ORM execution
    layer costs more CPU than the round trip itself.
    """
    return db.session.connection().execute(statement, params)


def attach_inserted(model, row: dict, row_id: int):
    """The ORM object of a row just inserted with Core (every column in ``row``): persistent
    in the session as if loaded, so nothing is flushed or read back for it."""
    obj = _detached(model, {**row, "id": row_id})
    db.session.add(obj)
    return obj


def detached_copy(obj):
    """A clean detached copy of ``obj``'s columns, for a per-worker cache; a request takes it
    into its session with ``session.merge(copy, load=False)`` (no SQL)."""
    model = type(obj)
    return _detached(model, {key: getattr(obj, key) for key in _attribute_keys(model)})


def _detached(model, values: dict):
    """``model`` with ``values`` as if loaded and then detached (no constructor: they are complete)."""
    obj = _class_manager(model).new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    return obj


@cache
def _class_manager(model):
    return inspect(model).class_manager


@cache
def _attribute_keys(model) -> tuple[str, ...]:
    return tuple(attr.key for attr in inspect(model).column_attrs)


def loaded_columns(model, prefix: str = "") -> list:
    """Every column of ``model`` labelled ``prefix + attribute``, for a Core ``select`` whose
    rows become ORM objects with ``attach_loaded`` (several models may share one row)."""
    mapper = inspect(model)
    return [mapper.columns[key].label(prefix + key) for key in _attribute_keys(model)]


def attach_loaded(model, row, prefix: str = ""):
    """The ORM object of a row read with Core through ``loaded_columns(model, prefix)``: the
    session's own object when it holds that row already, else one attached as if loaded.

    For hot-path reads (a sale's SKUs): ORM loading costs several times the query's CPU.
    """
    values = {key: row[prefix + key] for key in _attribute_keys(model)}
    present = db.session.identity_map.get(identity_key(model, values["id"]))
    if present is not None:
        return present
    obj = _detached(model, values)
    db.session.add(obj)
    return obj
