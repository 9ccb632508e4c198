"""Typed settings contributed by the core and plugins, stored in ``core_setting``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.platform.audit import audit
from app.platform.caches import bump_config_version, cached_for_config, forget_config_version
from app.platform.models import Setting

if TYPE_CHECKING:
    from app.hookspecs import SettingDef

TYPES = ("bool", "int", "str", "choice")
DEFINITIONS = "retail_setting_definitions"  # app.extensions key: what install_setting_definitions got


class SettingError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def install_setting_definitions(app: Flask, definitions: dict[str, tuple[str, SettingDef]]) -> None:
    """Hand the store the definitions of every installed package, as the plugin host
    collected them (``create_app``): this layer reads them and never asks the host."""
    app.extensions[DEFINITIONS] = definitions


def all_settings() -> dict[str, tuple[str, SettingDef]]:
    """``{key: (owner, definition)}`` for the core domains (owner ``"core"``) and every
    installed plugin (``retail_register_settings``)."""
    return current_app.extensions[DEFINITIONS]


def coerce(definition: SettingDef, raw: Any) -> Any:
    """Turn form/JSON input into the setting's type, or raise ``SettingError``."""
    kind = definition.type
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        return str(raw).lower() in ("1", "true", "on", "yes", "y")
    if kind == "int":
        try:
            value = int(str(raw).strip())
        except ValueError as exc:
            raise SettingError(_l("%(label)s must be a whole number.", label=definition.label)) from exc
        if definition.min_value is not None and value < definition.min_value:
            raise SettingError(
                _l("%(label)s must be at least %(n)s.", label=definition.label, n=definition.min_value)
            )
        if definition.max_value is not None and value > definition.max_value:
            raise SettingError(
                _l("%(label)s must be at most %(n)s.", label=definition.label, n=definition.max_value)
            )
        return value
    value = str(raw).strip()
    if kind == "choice" and value not in {c[0] for c in definition.choices}:
        raise SettingError(_l("%(label)s: choose one of the listed values.", label=definition.label))
    if len(value) > definition.max_length:
        raise SettingError(_l("%(label)s is too long.", label=definition.label))
    return value


def mask_secret(value: Any) -> str:
    """What may be shown of a secret value: its last 4 characters when it is long enough."""
    text = "" if value is None else str(value)
    if not text:
        return ""
    return "••••" + text[-4:] if len(text) >= 12 else "••••"


def _stored() -> dict[str, Any]:
    """Stored values by key; read on every sale, so kept per worker (``cached_for_config``)."""
    return cached_for_config(
        "settings", lambda: dict(db.session.execute(select(Setting.key, Setting.value)).all())
    )


def get_setting(key: str) -> Any:
    definitions = all_settings()
    if key not in definitions:
        raise KeyError(key)
    stored = _stored()
    return stored[key] if key in stored else definitions[key][1].default


def set_setting(key: str, raw: Any, user=None) -> Any:
    """Validate and store a setting in its own transaction, audited."""
    definition = all_settings()[key][1]
    value = coerce(definition, raw)
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        db.session.add(row)
    old = row.value
    row.value = value
    row.changed_by_fk = getattr(user, "id", None)
    if old != value:
        if definition.secret:
            audit("setting.change", "setting", key, user=user, old=mask_secret(old), new=mask_secret(value))
        else:
            audit("setting.change", "setting", key, user=user, old=old, new=value)
        bump_config_version()
    db.session.commit()
    forget_config_version()
    return value
