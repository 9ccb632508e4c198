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
