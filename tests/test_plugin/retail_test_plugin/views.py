from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.admin import StoreScopedModelView
from retail_test_plugin.models import SampleNote


class SampleNoteView(StoreScopedModelView):
    datamodel = SQLAInterface(SampleNote)
    class_permission_name = "SampleNotes"
    list_title = _l("Sample notes")
    list_columns = ["store", "text"]
    add_columns = edit_columns = ["store", "text"]
    label_columns = {"store": _l("Store"), "text": _l("Text")}
