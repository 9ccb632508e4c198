"""Settings in tests: the settings page's form as it stands, and settings put back afterwards.

The settings page saves every setting it shows, and an unticked box posts nothing, so a
form that names only the fields a test edits turns every other switch off.  A test that
posts the page sends ``settings_form(...)``; a test that changes settings does it inside
``kept_settings(app)`` so the tests after it see the values they had before.
"""

from __future__ import annotations

from contextlib import contextmanager


def current_settings(app) -> dict:
    """``{key: value}`` of every installed setting (stored or default)."""
    from app.platform.settings import all_settings, get_setting

    with app.app_context():
        return {key: get_setting(key) for key in all_settings()}


def settings_form(app, changes: dict | None = None) -> dict:
    """The settings page's form with every setting as it is, except ``changes`` (form values:
    ``"on"`` ticks a box, ``None`` unticks it).  A field left out keeps its stored value."""
    from app.platform.settings import all_settings

    with app.app_context():
        definitions = {key: definition for key, (_owner, definition) in all_settings().items()}
    form = {}
    for key, value in current_settings(app).items():
        if definitions[key].type != "bool":
            if value is not None:
                form[key] = str(value)
        elif value:
            form[key] = "on"
    for key, value in (changes or {}).items():
        if value is None:
            form.pop(key, None)
        else:
            form[key] = value
    return form


@contextmanager
def kept_settings(app, values: dict | None = None):
    """Set ``values`` (``{key: value}``) for the block, then put every setting the block
    changed back as it was."""
    from app.platform.settings import set_setting

    before = current_settings(app)
    with app.app_context():
        for key, value in (values or {}).items():
            set_setting(key, value)
    try:
        yield
    finally:
        after = current_settings(app)
        with app.app_context():
            for key, value in before.items():
                if after[key] != value:
                    set_setting(key, value)
