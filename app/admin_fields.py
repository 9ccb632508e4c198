"""Shared admin pieces: the money field (元 typed, fen stored), the vocabulary select (label
shown, code stored), readable columns by default, and forms that stay on the page with what
was typed when a save is refused.

``ReadableFormsMixin`` is mixed into ``app.admin.RetailModelView``, so every core and plugin
view gets it: money columns (``*_fen``) become ``MoneyField`` in forms and show as 元 in lists;
other columns show through ``app.formatting.display`` (no ``None``/``False``/``[]``);
``label_kinds`` maps columns to label vocabularies (shown as labels, chosen in forms from a
``LabelSelectField``); a service error raised from
``pre_add``/``pre_update`` becomes an error beside its field (``FieldError``, or an
``DomainError`` whose code is in ``error_fields`` or which carries ``field=``).
"""

from __future__ import annotations

import json
import logging
from typing import NamedTuple

from flask import abort, flash, request, url_for
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_appbuilder.urltools import get_filter_args, get_order_args, get_page_args, get_page_size_args
from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectChoice, SelectField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Optional, ValidationError
from wtforms.widgets import TextArea

from app.errors import DomainError
from app.extensions import db
from app.formatting import (
    EMPTY,
    check_yuan_range,
    choices_of,
    display,
    label_formatter,
    money,
    parse_yuan,
    yuan,
)

log = logging.getLogger(__name__)
MAX_FEN = 10**11  # one billion yuan: more than any retail amount


class MoneyRange:
    """Validator of a ``MoneyField``: bounds in fen, message in 元."""

    def __init__(self, min_fen: int | None = 0, max_fen: int | None = MAX_FEN):
        self.min_fen = min_fen
        self.max_fen = max_fen

    def __call__(self, form, field):
        if field.data is None:
            return
        try:
            check_yuan_range(field.data, self.min_fen, self.max_fen)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class MoneyField(Field):
    """Typed in 元 (``12.34``), ``data`` in fen (``1234``); at most two decimals."""

    widget = BS3TextFieldWidget()

    def __init__(self, label=None, validators=None, min_fen: int | None = 0, max_fen: int | None = MAX_FEN,
                 **kwargs):
        validators = list(validators or []) + [MoneyRange(min_fen, max_fen)]
        render_kw = {"inputmode": "decimal", "placeholder": "0.00", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return yuan(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = parse_yuan(text)
        except ValueError:
            self.data = None
            raise

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data)


def money_field(label, required: bool = True, description=None, **kwargs) -> MoneyField:
    validators = [InputRequired(message=str(_l("Enter an amount.")))] if required else [Optional()]
    return MoneyField(label, validators=validators, description=description, **kwargs)


def _code_or_none(value):
    return None if value in ("", None) else str(value)


class LabelSelectField(SelectField):
    """A column of a label vocabulary (``app.formatting.register_labels``): a select of the
    vocabulary's labels, ``data`` the code; a code outside the vocabulary is refused.

    The choices are read when a form is built, so labels a plugin registers later still show.
    ``blank=True`` (nullable columns) adds a "—" choice stored as ``None``.
    """

    widget = Select2Widget()

    def __init__(self, label=None, validators=None, kind: str = "", blank: bool = False, **kwargs):
        self.kind = kind
        self.blank = blank
        super().__init__(label, validators, coerce=_code_or_none, choices=self._vocabulary, **kwargs)

    def _vocabulary(self) -> list[SelectChoice]:
        choices = [SelectChoice(code, label) for code, label in choices_of(self.kind)]
        return [SelectChoice("", EMPTY), *choices] if self.blank else choices

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:  # WTForms' own message is not translated here
            raise ValidationError(str(_l("Choose one of the listed values."))) from None


LINE_EDITOR_LABELS = {
    "code": _l("SKU code or barcode"),
    "name": _l("Name"),
    "on_hand": _l("On hand"),
    "qty": _l("Quantity"),
    "add": _l("Add line"),
    "clear": _l("Clear the line (Ctrl+Backspace)"),
    "unknown": _l("Unknown SKU"),
}


class LineEditorWidget(TextArea):
    """A textarea that ``static/js/line_editor.js`` turns into a grid (code, name, on hand,
    quantity) with SKU look-up at ``lookup_endpoint`` (``?code=`` → JSON ``sku_code``, ``name``,
    ``on_hand``). The grid writes the submitted value, one "CODE QTY" per line; the field's
    hint (``description_columns``) describes the grid, not that text."""

    def __init__(self, lookup_endpoint: str):
        self.lookup_endpoint = lookup_endpoint

    def __call__(self, field, **kwargs):
        kwargs.setdefault("class", "form-control")
        kwargs.setdefault("rows", 6)
        kwargs["data-line-editor"] = url_for(self.lookup_endpoint)
        labels = {key: str(label) for key, label in LINE_EDITOR_LABELS.items()}
        kwargs["data-labels"] = json.dumps(labels, ensure_ascii=False)
        return super().__call__(field, **kwargs)


def _dash_for_no_choice(form) -> None:
    """An empty relation choice reads "—", not FAB's ``__None`` (WTForms shows the value of an
    unlabelled option)."""
    for unbound in vars(form or object).values():
        if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, QuerySelectField):
            unbound.kwargs["blank_text"] = EMPTY


class FieldError(ValueError):
    """Raise from ``pre_add``/``pre_update``: the form re-renders with ``message`` beside ``field``."""

    def __init__(self, field: str | None, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


class Section(NamedTuple):
    """A block of a detail page under the record's fields (``retail/show_detail.html``)."""

    key: str
    title: object
    body: object  # Markup


def refusal_message(exc: DomainError) -> str:
    """A domain error as the admin shows it: the message, with the SKU it names."""
    message = str(exc.message)
    if "sku_code" in exc.details:
        message = f"{message} ({exc.details['sku_code']})"
    return message


class ReadableFormsMixin:
    """Readable columns, money fields and forms that keep their input (see the module doc)."""

    show_template = "retail/show_detail.html"
    form_scripts: list[str] = []  # static JS files the add/edit pages load (e.g. "js/line_editor.js")
    # fields shown only for some values of others: {"face_value_fen": {"offer_type": ["cash"]}}
    form_conditions: dict[str, dict[str, list[str]]] = {}
    action_order: list[str] = []  # workflow order of the actions (FAB sorts them by name)
    label_kinds: dict[str, str] = {}  # column → label vocabulary (app.formatting.register_labels)
    error_fields: dict[str, str] = {}  # DomainError code → form field that shows it
    money_min_fen: dict[str, int | None] = {}  # money columns that accept other bounds (e.g. negatives)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        scripts = list(self.form_scripts) + (["js/conditional_form.js"] if self.form_conditions else [])
        if scripts:
            self.add_template = "retail/form_add.html"
            self.edit_template = "retail/form_edit.html"
            self.extra_args = {
                **(self.extra_args or {}), "form_scripts": scripts, "form_conditions": self.form_conditions,
            }
        if self.action_order:
            ordered = {n: self.actions[n] for n in self.action_order if n in self.actions}
            self.actions = {**ordered, **self.actions}

    # ------------------------------------------------------------ detail pages
    def detail_sections(self, item) -> list[Section]:
        """What belongs to the record, shown under its fields (override)."""
        return []

    def allowed_actions(self, item) -> set[str] | None:
        """The actions the record's state allows on its detail page; ``None``: all (override)."""
        return None

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        widgets = widgets or {}
        actions = self.actions if actions is None else actions
        allowed = self.allowed_actions(item)
        if allowed is not None:
            actions = {name: a for name, a in actions.items() if name in allowed}
        widgets["show"] = self.show_widget(
            pk=pk,
            label_columns=self.label_columns,
            include_columns=self.show_columns,
            value_columns=self.datamodel.get_values_item(item, self.show_columns),
            formatters_columns=self.formatters_columns,
            actions=actions,
            fieldsets=show_fieldsets or self.show_fieldsets,
            modelview_name=self.__class__.__name__,
        )
        widgets["sections"] = self.detail_sections(item)
        return widgets

    # ------------------------------------------------------------ columns
    def _init_properties(self):
        super()._init_properties()
        columns = list(self.list_columns or []) + list(self.show_columns or [])
        automatic = {}
        for column in columns:
            if column in self.label_kinds:
                automatic[column] = label_formatter(self.label_kinds[column])
            elif column.endswith("_fen"):
                automatic[column] = money
            else:
                automatic[column] = display
        self.formatters_columns = {**automatic, **(self.formatters_columns or {})}

    def _money_fields(self, columns, extra) -> dict:
        fields = {}
        for column in columns or []:
            if not column.endswith("_fen") or column in extra:
                continue
            required = not self.datamodel.is_nullable(column)
            column_default = getattr(self.datamodel.list_columns.get(column), "default", None)
            default = getattr(column_default, "arg", None)
            fields[column] = money_field(
                self.label_columns.get(column, column),
                required=required,
                description=self.description_columns.get(column) or "",
                min_fen=self.money_min_fen.get(column, 0),
                default=default if isinstance(default, int) else None,
            )
        return fields

    def _label_fields(self, columns, extra) -> dict:
        """A ``LabelSelectField`` for each ``label_kinds`` column of the form (not given in ``extra``)."""
        fields = {}
        for column in columns or []:
            if column not in self.label_kinds or column in extra:
                continue
            column_default = getattr(self.datamodel.list_columns.get(column), "default", None)
            default = getattr(column_default, "arg", None)
            fields[column] = LabelSelectField(
                self.label_columns.get(column, column),
                kind=self.label_kinds[column],
                blank=self.datamodel.is_nullable(column),
                description=self.description_columns.get(column) or "",
                default=default if isinstance(default, str) else None,
            )
        return fields

    def _described(self, extra: dict) -> dict:
        """Extra fields get their ``description_columns`` hint too (FAB gives it to model fields only)."""
        for name, field in extra.items():
            hint = self.description_columns.get(name)
            if hint and not field.kwargs.get("description"):
                field.kwargs["description"] = hint
        return extra

    def _init_forms(self):
        self._described(self.add_form_extra_fields)
        self._described(self.edit_form_extra_fields)
        self.add_form_extra_fields = {
            **self._money_fields(self.add_columns, self.add_form_extra_fields),
            **self._label_fields(self.add_columns, self.add_form_extra_fields),
            **self.add_form_extra_fields,
        }
        self.edit_form_extra_fields = {
            **self._money_fields(self.edit_columns, self.edit_form_extra_fields),
            **self._label_fields(self.edit_columns, self.edit_form_extra_fields),
            **self.edit_form_extra_fields,
        }
        super()._init_forms()
        for form in (self.add_form, self.edit_form, getattr(self, "search_form", None)):
            _dash_for_no_choice(form)

    # ------------------------------------------------------------ refused saves
    def _refusal(self, exc: Exception) -> tuple[str | None, str]:
        if isinstance(exc, FieldError):
            return exc.field, str(exc.message)
        if isinstance(exc, DomainError):
            return exc.details.get("field") or self.error_fields.get(exc.code), refusal_message(exc)
        if not isinstance(exc, ValueError):
            log.exception("saving %s failed", type(self).__name__)
        return None, str(exc)

    def _show_refusal(self, form, exc: Exception) -> None:
        db.session.rollback()  # nothing half-written; the form keeps what was typed
        field, message = self._refusal(exc)
        if field and field in form:
            form[field].errors = list(form[field].errors or []) + [message]
        else:
            flash(message, "danger")

    def _save(self, form, item, adding: bool) -> bool:
        """Populate, run the pre-hook, write, run the post-hook; a refusal keeps the form."""
        self.process_form(form, adding)
        try:
            form.populate_obj(item)
            self.pre_add(item) if adding else self.pre_update(item)
        except Exception as exc:  # noqa: BLE001 - every refusal keeps the form
            self._show_refusal(form, exc)
            return False
        try:
            self.datamodel.add(item) if adding else self.datamodel.edit(item)
        except FieldError as exc:  # a rule checked at flush (app.request_guards: blank names)
            self._show_refusal(form, exc)
            return False
        except Exception:  # noqa: BLE001 - the interface logged it and rolled back
            db.session.rollback()
            message = _l("This could not be saved: a value may already be used by another record.")
            flash(str(message), "danger")
            return False
        self.post_add(item) if adding else self.post_update(item)
        flash(str(self.add_row_message if adding else self.edit_row_message), "success")
        return True

    def _add(self):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate() and self._save(form, self.datamodel.obj(), adding=True):
                return None
        else:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        pages = get_page_args()
        page_sizes = get_page_size_args()
        orders = get_order_args()
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk
            if form.validate():
                if self._save(form, item, adding=False):
                    return None
                item = self.datamodel.get(pk, self._base_filters)
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
            self.update_redirect()
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(
            item, filters={}, orders=orders, pages=pages, page_sizes=page_sizes, widgets=widgets
        )
