"""``flask --app run plugins new NAME``: write a complete, working, tested skeleton plugin.

The skeleton is a distribution of its own (``retail-NAME``) with the manifest and one
of every kind of contribution -- a model and its migration branch, an admin view, an
API endpoint, a setting, grants, translations, demo data, a manual and tests -- that
passes its tests as written.  docs/plugin_hooks.md is the guide around it.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class ScaffoldError(ValueError):
    """The plugin cannot be written (bad name, target exists)."""


def check_name(name: str, taken: set[str]) -> None:
    if not NAME_PATTERN.match(name) or keyword.iskeyword(name) or name.endswith("_"):
        raise ScaffoldError(f"{name!r}: use 2-31 lower-case letters, digits and _ (a Python name)")
    if name in taken:
        raise ScaffoldError(f"{name!r} is taken by an installed package")


def files(name: str) -> dict[str, str]:
    """``{relative path: text}`` of the skeleton of plugin ``name``."""
    words = {
        "name": name,
        "Name": "".join(part.capitalize() for part in name.split("_")),
        "title": name.replace("_", " ").capitalize(),
    }
    words["view_url"] = f"/{words['Name'].lower()}noteview"  # FAB routes a view by its class name
    return {Template(path).substitute(words): Template(text).substitute(words)
            for path, text in TEMPLATES.items()}


def write(name: str, destination: Path, taken: set[str]) -> Path:
    """Write the skeleton into ``destination/retail_<name>`` and compile its catalogs."""
    check_name(name, taken)
    root = destination / f"retail_{name}"
    if root.exists():
        raise ScaffoldError(f"{root} exists already")
    for relative, text in files(name).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    compile_catalogs(root / name / "translations")
    return root


def compile_catalogs(directory: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parts[-3])
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


TEMPLATES = {
    "pyproject.toml": '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "retail-$name"
version = "0.1.0"
description = "Retail Admin plugin: $title"
requires-python = ">=3.11"
dependencies = []  # runs inside Retail Admin (retail-admin), which brings everything

[project.entry-points."retail_admin.plugins"]
$name = "$name"

[tool.setuptools.packages.find]
include = ["$name*"]

[tool.setuptools.package-data]
"*" = ["translations/*/LC_MESSAGES/*", "migrations/**/*"]

[tool.ruff]
line-length = 110
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "W", "I", "B", "UP"]
ignore = ["B008"]

[tool.ruff.lint.isort]
known-first-party = ["app", "$name"]
''',
    "README.md": '''# $title (`$name`)

A Retail Admin plugin, written by `flask --app run plugins new $name`.

## Install

```sh
pip install -e .                       # next to Retail Admin, in its environment
flask --app run db upgrade             # creates the $name tables, syncs the grants
flask --app run plugins list           # $name 0.1.0 [enabled] ...
```

## What it adds

- **Notes** (table `${name}_note`): one text per store, on the admin page
  *$title → $title notes* (HQ and store managers write, cashiers read; store roles see
  their own store only).
- **API** `GET /api/v1/$name/notes` (the caller's store's notes) and
  `POST /api/v1/$name/notes {"text"}` (idempotent with `Idempotency-Key`), permission
  `Pos$Name` (POS, cashier, store manager; HQ may call it but owns no store to write to).
- **Setting** `$name.greeting` (System → Settings).
- **Demo data**: one note per store at `flask --app run seed-demo`.
- Messages in Chinese and English (`$name/translations`; after editing a `.po` file run
  `pybabel compile -d $name/translations`).

## Develop

The manifest is `$name/__init__.py`; docs/plugin_hooks.md of Retail Admin describes every
hook.  A new table: add the model, then

```sh
flask --app run db revision -m "..." --autogenerate --head $name@head \\
    --version-path $name/migrations/versions
```

```sh
python -m pytest tests                 # from this directory, with Retail Admin installed
```
''',
    "$name/__init__.py": '''"""Plugin `$name`: $title.

The plugin's manifest: metadata, what it contributes without code (declared: models,
migrations, translations, grants, settings, demo; see docs/plugin_hooks.md) and one
``@hookimpl`` per contribution that needs code (the admin view, the API), nothing else.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import SettingDef, ViewSpec, hookimpl
from app.roles import CASHIER, MERCHANT, POS, STORE_MANAGER, menu, read, write

NAME = "$name"
TITLE = _l("$title")
VERSION = "0.1.0"
DESCRIPTION = _l("$title: notes per store, an API and a setting.")
DEPENDS = ()
DEFAULT_ENABLED = True
MODELS = "$name.models"
MIGRATIONS = "migrations/versions"
TRANSLATIONS = "translations"
DEMO = "$name.demo:seed_demo"

NOTES_MENU = menu("$Name", "${Name}Notes")

GRANTS = {
    MERCHANT: write("${Name}Notes") + NOTES_MENU + write("Pos$Name"),  # HQ: refused STORE_REQUIRED
    STORE_MANAGER: write("${Name}Notes") + NOTES_MENU + write("Pos$Name"),
    CASHIER: read("${Name}Notes") + NOTES_MENU + write("Pos$Name"),
    POS: write("Pos$Name"),
}

SETTINGS = [
    SettingDef("$name.greeting", _l("Greeting of $title"), "str", default="hello", max_length=50),
]


@hookimpl
def retail_register_views(appbuilder):
    from $name.views import ${Name}NoteView

    return [
        ViewSpec(${Name}NoteView, "${Name}Notes", label=_l("$title notes"), icon="fa-sticky-note",
                 category="$Name", category_label=_l("$title"), category_icon="fa-puzzle-piece"),
    ]


@hookimpl
def retail_register_apis(appbuilder):
    from $name.api import Pos${Name}Api

    return [Pos${Name}Api]
''',
    "$name/models.py": '''from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.org.models import Store
from app.platform.audit import Audited


class ${Name}Note(Audited, Model):
    __tablename__ = "${name}_note"  # tables start with the plugin's name (checked at start-up)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("org_store.id"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(String(100), nullable=False)
    store: Mapped[Store] = relationship(Store)
''',
    "$name/migrations/versions/${name}_0001_schema.py": '''"""$name schema: the plugin's own Alembic branch.

``db downgrade $name@base`` drops its tables alone.
"""

import sqlalchemy as sa
from alembic import op

revision = "${name}_0001"
down_revision = None
branch_labels = ("$name",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "${name}_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=100), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("changed_on", sa.DateTime(), nullable=False),
        sa.Column("created_by_fk", sa.Integer(), nullable=True),
        sa.Column("changed_by_fk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by_fk"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["created_by_fk"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["store_id"], ["org_store.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("${name}_note") as batch_op:
        batch_op.create_index("ix_${name}_note_store_id", ["store_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("${name}_note") as batch_op:
        batch_op.drop_index("ix_${name}_note_store_id")
    op.drop_table("${name}_note")
''',
    "$name/views.py": '''from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.admin import StoreScopedModelView
from $name.models import ${Name}Note


class ${Name}NoteView(StoreScopedModelView):
    """Store roles see and change their own store's notes only."""

    datamodel = SQLAInterface(${Name}Note)
    class_permission_name = "${Name}Notes"
    list_title = _l("$title notes")
    list_columns = ["store", "text"]
    add_columns = edit_columns = ["store", "text"]
    label_columns = {"store": _l("Store"), "text": _l("Text")}
''',
    "$name/api.py": '''from flask_appbuilder.api import expose
from marshmallow import Schema, fields, validate

from app.api import RetailApi, idempotent, json_body, protect, read_only
from app.extensions import db
from app.security import caller_store_id, scope_to_store
from app.unit_of_work import unit_of_work
from $name.models import ${Name}Note


class NoteIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=100))


class Pos${Name}Api(RetailApi):
    resource_name = "$name"  # /api/v1/$name/...
    class_permission_name = "Pos$Name"
    method_permission_name = {"list_notes": "read", "add_note": "write"}
    openapi_spec_tag = "$title"

    @expose("/notes", methods=["GET"])
    @protect()
    @read_only
    def list_notes(self):
        """The notes of the caller's store (HQ: every store).
        ---
        get:
          responses:
            200:
              description: '{"count", "result": [{"id", "store_id", "text"}]}'
        """
        notes = scope_to_store(db.session.query(${Name}Note), ${Name}Note.store_id).order_by("id")
        result = [{"id": n.id, "store_id": n.store_id, "text": n.text} for n in notes]
        return self.response(200, count=len(result), result=result)

    @expose("/notes", methods=["POST"])
    @protect()
    @idempotent
    def add_note(self):
        """Add a note to the caller's store.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: {type: object, properties: {text: {type: string}}}
          responses:
            201:
              description: '{"result": {"id", "store_id", "text"}}'
            403:
              description: STORE_REQUIRED (HQ accounts have no store)
            422:
              description: VALIDATION_ERROR
        """
        data = json_body(NoteIn())
        # To refuse, raise app.errors.DomainError("<CODE>", _l("...")) here or in a service, and
        # register the code with its HTTP status in the manifest's retail_error_codes hook
        # (app.errors.error_table): the API answers with that status. Never app.api.ApiError.
        with unit_of_work():  # committed together, or nothing
            note = ${Name}Note(store_id=caller_store_id(), text=data["text"])
            db.session.add(note)
        return self.response(201, result={"id": note.id, "store_id": note.store_id, "text": note.text})
''',
    "$name/demo.py": '''from app.extensions import db
from app.org.models import Store
from app.unit_of_work import unit_of_work
from $name.models import ${Name}Note


def seed_demo() -> int:
    """One note per store (the manifest's DEMO); a second run adds nothing. Returns how many
    notes it added."""
    added = 0
    with unit_of_work():
        for store in db.session.query(Store).order_by(Store.id):
            if db.session.query(${Name}Note).filter_by(store_id=store.id).first() is None:
                db.session.add(${Name}Note(store_id=store.id, text=f"{store.code} demo note"))
                added += 1
    return added
''',
    "$name/translations/zh/LC_MESSAGES/messages.po": '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Language: zh\\n"

msgid "$title"
msgstr "$title（插件）"

msgid "$title: notes per store, an API and a setting."
msgstr "$title：按门店的备注、一个接口和一项设置。"

msgid "$title notes"
msgstr "$title 备注"

msgid "Greeting of $title"
msgstr "$title 问候语"

msgid "Store"
msgstr "门店"

msgid "Text"
msgstr "内容"
''',
    "$name/translations/en/LC_MESSAGES/messages.po": '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Language: en\\n"

msgid "$title"
msgstr "$title"

msgid "$title: notes per store, an API and a setting."
msgstr "$title: notes per store, an API and a setting."

msgid "$title notes"
msgstr "$title notes"

msgid "Greeting of $title"
msgstr "Greeting of $title"

msgid "Store"
msgstr "Store"

msgid "Text"
msgstr "Text"
''',
    "tests/conftest.py": '''"""A Retail Admin app on a fresh SQLite database, migrated (core + this plugin),
roles synced and demo data seeded (core and plugins), with clients per demo user."""

import os
import tempfile
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="retail-$name-"))
os.environ.setdefault("RETAIL_INSTANCE_DIR", str(_TMP / "instance"))
os.environ.setdefault("SECRET_KEY", "t" * 64)
PASSWORD = "demo1234"


@pytest.fixture(scope="session")
def app():
    from app import create_app, migrations
    from app.demo import seed_demo

    application = create_app({
        "TESTING": True, "HUEY_IMMEDIATE": True, "WTF_CSRF_ENABLED": False,
        "AUTH_RATE_LIMIT": "10000 per second", "PERMISSION_CACHE_SECONDS": 0, "CALLER_CACHE_SECONDS": 0,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{_TMP / 'test.db'}",
    })
    with application.app_context():
        migrations.upgrade()
        application.appbuilder.sm.sync_roles(application.extensions["retail_plugins"].role_grants())
        seed_demo(PASSWORD)
    return application


@pytest.fixture
def api_as(app):
    def client_for(username):
        client = app.test_client()
        login = client.post("/api/v1/security/login",
                            json={"username": username, "password": PASSWORD, "provider": "db"})
        assert login.status_code == 200, login.get_data(as_text=True)
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {login.get_json()['access_token']}"
        return client

    return client_for


@pytest.fixture
def client_as(app):
    def client_for(username):
        client = app.test_client()
        answer = client.post("/login/", data={"username": username, "password": PASSWORD})
        assert answer.status_code == 302 and "/login" not in answer.headers["Location"], username
        return client

    return client_for
''',
    "tests/test_$name.py": '''"""The skeleton's contributions, through the app's public entry points."""

import uuid


def test_the_plugin_is_installed_and_enabled(app):
    host = app.extensions["retail_plugins"]
    assert "$name" in host.plugins
    with app.app_context():
        assert host.is_enabled("$name")


def test_the_api_adds_and_lists_the_callers_store_notes(api_as):
    pos = api_as("pos1")
    text = f"note {uuid.uuid4().hex[:8]}"
    added = pos.post("/api/v1/$name/notes", json={"text": text}, headers={"Idempotency-Key": text})
    assert added.status_code == 201, added.get_json()
    again = pos.post("/api/v1/$name/notes", json={"text": text}, headers={"Idempotency-Key": text})
    assert again.status_code == 201 and again.get_json() == added.get_json()  # replayed, not added
    listed = pos.get("/api/v1/$name/notes").get_json()["result"]
    assert [n["text"] for n in listed].count(text) == 1
    assert {n["store_id"] for n in listed} == {added.get_json()["result"]["store_id"]}


def test_the_api_refuses_bad_input_and_accounts_without_a_store(api_as):
    empty = api_as("pos1").post("/api/v1/$name/notes", json={"text": ""})
    assert empty.status_code == 422 and empty.get_json()["error"]["code"] == "VALIDATION_ERROR"
    hq = api_as("hq").post("/api/v1/$name/notes", json={"text": "from HQ"})
    assert hq.status_code == 403 and hq.get_json()["error"]["code"] == "STORE_REQUIRED"
    chinese = api_as("pos1").post("/api/v1/$name/notes", json={}, headers={"Accept-Language": "zh"})
    assert chinese.status_code == 422 and not chinese.get_json()["error"]["message"].isascii()


def test_the_admin_page_lists_the_demo_notes_in_chinese(client_as):
    page = client_as("manager1").get("${view_url}/list/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "S001 demo note" in html and "S002 demo note" not in html  # own store only
    assert "$title 备注" in html  # the plugin's own catalog
    assert client_as("guide1").get("${view_url}/list/").status_code == 403  # no grant


def test_the_setting_has_its_default(app):
    from app.platform.settings import get_setting

    with app.app_context():
        assert get_setting("$name.greeting") == "hello"


def test_a_disabled_plugin_answers_404(app, api_as):
    host = app.extensions["retail_plugins"]
    with app.app_context():
        host.set_enabled("$name", False)
    try:
        gone = api_as("pos1").get("/api/v1/$name/notes")
        assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "NOT_FOUND"
    finally:
        with app.app_context():
            host.set_enabled("$name", True)
    assert api_as("pos1").get("/api/v1/$name/notes").status_code == 200
''',
}
