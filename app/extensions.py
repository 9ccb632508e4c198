"""Extensions shared by the core and plugins (init_app style)."""

from flask_appbuilder.models.sqla import Model
from flask_appbuilder.models.sqla.base import SQLA

db = SQLA(model_class=Model)
