"""FAB's own texts in the Chinese UI, and one FAB/WTForms quirk that shows up on every form.

FAB's zh catalog lacks some of FAB's messages and some FAB views label columns
without gettext (prettified column names such as "First Name").  Our catalog
translates them: ``FAB_MESSAGES`` lists the msgids so ``tools/i18n.py update``
keeps them, and ``translate_fab_views`` makes FAB's views look their plain-text
labels up through gettext.  Babel merges catalogs, ours last, so ours win.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.formatting import EMPTY, yes_no

FAB_MESSAGES = (
    # FAB msgids its zh catalog does not translate
    _l("Database Error"),
    _l("Not a valid choice"),
    _l("Contains (insensitive)"),
    _l("Start with"),
    _l("In"),
    _l("Not In"),
    _l("Either select a role or a group"),
    _l("List Groups"),
    _l("Show Group"),
    _l("Add Group"),
    _l("Edit Group"),
    _l("Groups"),
    _l("Edit User Information"),
    _l("User information changed"),
    _l("The user's password for authentication"),
    _l("It's not a good policy to remove a user, just make it inactive"),
    _l("The user group on the application, this will associate with a list of roles associated "
       "with the group"),
    _l("User(s) exists in the role, cannot delete"),
    _l("User(s) exists in the group, cannot delete"),
    _l("Show"),
    _l("Are you sure you want to delete this item?"),
    _l("Must have at least two capital letters, one special character, two digits, three lower "
       "case letters and a minimal length of 10."),
    # labels FAB's views show without gettext (prettified column names, chart series)
    _l("Name"),
    _l("Label"),
    _l("Description"),
    _l("Users"),
    _l("Roles"),
    _l("First Name"),
    _l("Last Name"),
    _l("Email"),
    _l("Active"),
    _l("Created On"),
    _l("Changed On"),
    _l("Last Login"),
    _l("Login Count"),
    _l("Failed Login Count"),
    # FAB's help texts, said without LDAP/OID jargon a shop owner does not use
    _l("Username valid for authentication on DB or LDAP, unused for OID auth"),
    _l("The user's email, this will also be used for OID auth"),
)

_TITLES = ("list_title", "show_title", "add_title", "edit_title", "chart_title")


def _gettext_labels(mapping) -> None:
    for key, value in list((mapping or {}).items()):
        if isinstance(value, str):  # a lazy string is already translated at render time
            mapping[key] = _l(value)


def _gettext_form_labels(form_class) -> None:
    """Forms are built when a view is created, with the labels of that moment."""
    from wtforms.fields.core import UnboundField

    for field in vars(form_class).values():
        if not isinstance(field, UnboundField):
            continue
        if isinstance(field.kwargs.get("label"), str):
            field.kwargs["label"] = _l(field.kwargs["label"])
        elif field.args and isinstance(field.args[0], str):  # FAB passes the label first
            field.args = (_l(field.args[0]), *field.args[1:])


def _names(items) -> str:
    """Roles, groups, users or permissions of a FAB security row, instead of a Python list."""
    return "、".join(str(item) for item in items or ()) or EMPTY


# readable values in FAB's security lists (they print True and [Admin] otherwise)
FAB_FORMATTERS = {"active": yes_no, "roles": _names, "groups": _names, "users": _names,
                  "permissions": _names}


def translate_fab_views(appbuilder) -> None:
    """Make FAB's own views (users, roles, groups, statistics, …) show translated labels.

    Column labels FAB made up from column names ("Created On") are looked up in every
    view, so a plugin view that leaves such a column unlabelled still reads in Chinese."""
    for view in appbuilder.baseviews:
        _gettext_labels(getattr(view, "label_columns", None))
        for form in ("add_form", "edit_form", "search_form"):
            if isinstance(getattr(view, form, None), type):
                _gettext_form_labels(getattr(view, form))
        if not type(view).__module__.startswith("flask_appbuilder."):
            continue
        view.formatters_columns = {**FAB_FORMATTERS, **(getattr(view, "formatters_columns", None) or {})}
        for title in _TITLES:
            value = getattr(view, title, None)
            if isinstance(value, str) and value:
                setattr(view, title, _l(value))
        for definition in getattr(view, "definitions", None) or ():
            if isinstance(definition.get("label"), str):
                definition["label"] = _l(definition["label"])


def blank_choice_shows_a_dash() -> None:
    """WTForms ≥ 3.2 labels an option without text by its value: FAB's empty choice reads
    ``__None`` in every optional drop-down.  Give it the empty mark instead."""
    from flask_appbuilder.fields import QuerySelectField

    if getattr(QuerySelectField.iter_choices, "_retail_blank", False):
        return
    original = QuerySelectField.iter_choices

    def iter_choices(self):
        for choice in original(self):
            if choice[0] == "__None" and not choice[1]:
                choice = (choice[0], EMPTY, *choice[2:])
            yield choice

    iter_choices._retail_blank = True
    QuerySelectField.iter_choices = iter_choices
