"""Extensions shared by the core and plugins (init_app style)."""

from flask_appbuilder.models.sqla import Model
from flask_appbuilder.models.sqla.base import SQLA

db = SQLA(model_class=Model)


def commit_keeping_state() -> None:
    """Commit without expiring the session's objects.

    For a service whose caller renders what it has just written (the POS sale
    answer): the objects hold exactly what was committed, so reloading them
    row by row would only cost round trips.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


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
    from sqlalchemy.orm import make_transient_to_detached

    obj = model(**row, id=row_id)
    make_transient_to_detached(obj)
    db.session.add(obj)
    return obj
