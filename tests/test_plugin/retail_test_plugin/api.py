from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.api import RetailApi, idempotent, json_body
from app.errors import DomainError
from app.extensions import db
from app.security import NO_STORE, scope_to_store, scoped_store_id
from retail_test_plugin.models import SampleNote


class NoteIn(Schema):
    class Meta:
        unknown = "raise"

    text = fields.String(required=True, validate=validate.Length(min=1, max=50))
    count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=5))


class NoteOut(Schema):
    id = fields.Integer(required=True)
    store_id = fields.Integer(required=True)
    text = fields.String(required=True)


class NoteIdsOut(Schema):
    ids = fields.List(fields.Integer(), required=True)


class SampleApi(RetailApi):
    resource_name = "sample"
    class_permission_name = "SampleApi"
    method_permission_name = {"list_notes": "read", "add_note": "write"}

    @expose("/notes", methods=["GET"])
    @protect()
    def list_notes(self):
        """List the caller's store notes.
        ---
        get:
          responses:
            200:
              description: notes
              x-results: NoteOut
        """
        query = scope_to_store(db.session.query(SampleNote), SampleNote.store_id)
        notes = query.order_by(SampleNote.id).all()
        result = [{"id": n.id, "store_id": n.store_id, "text": n.text} for n in notes]
        return self.response(200, count=len(result), result=result)

    @expose("/notes", methods=["POST"])
    @protect()
    @idempotent
    def add_note(self):
        """Add notes in the caller's store.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: NoteIn
          responses:
            201:
              description: created
              x-result: NoteIdsOut
          x-error-codes: [STORE_REQUIRED]
        """
        data = json_body(NoteIn())
        store_id = scoped_store_id()
        if store_id in (None, NO_STORE):
            raise DomainError("STORE_REQUIRED", _l("A store account is required."))
        notes = [SampleNote(store_id=store_id, text=data["text"]) for _ in range(data["count"])]
        db.session.add_all(notes)
        db.session.commit()
        return self.response(201, result={"ids": [n.id for n in notes]})
