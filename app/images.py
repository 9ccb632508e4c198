"""Uploaded images kept under the instance folder: checked by their content (Pillow reads and
verifies them; the file name and the declared type are never trusted), stored under a random
name, served with headers that stop a browser from sniffing them into something else.

``save_image(area, data, max_bytes)`` → ``StoredImage``; ``image_response(area, name)``
answers a stored one (404 for a name that is not ours).  A refusal is a ``DomainError``:
``IMAGE_TOO_LARGE`` (413, with ``max_bytes``) or ``IMAGE_TYPE_INVALID`` (422).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import uuid
from pathlib import Path
from typing import NamedTuple

from flask import Response, abort, current_app
from flask_babel import lazy_gettext as _l

from app.errors import DomainError

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "GIF": ("image/gif", "gif"),
           "WEBP": ("image/webp", "webp")}
CONTENT_TYPES = {ext: content_type for content_type, ext in FORMATS.values()}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|gif|webp)$")
AREA_NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class StoredImage(NamedTuple):
    name: str  # the file's name under the area's folder: <32 hex>.<ext>
    content_type: str
    size: int


def image_kind(data: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` of a JPEG, PNG, GIF or WebP image Pillow can read and
    verify, else None."""
    from PIL import Image, UnidentifiedImageError

    if len(data) < 16:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return FORMATS.get(kind or "")


def decode_base64(text) -> bytes:
    """The bytes of a base64 image (how a JSON API sends one); a malformed one is refused."""
    try:
        return base64.b64decode(text or "", validate=True)
    except (binascii.Error, ValueError):
        raise image_type_invalid() from None


def image_type_invalid(field: str | None = None) -> DomainError:
    return DomainError("IMAGE_TYPE_INVALID", _l("Upload a JPEG, PNG, GIF or WebP image."),
                       **({"field": field} if field else {}))


def check_image(data: bytes, max_bytes: int, field: str | None = None) -> tuple[str, str]:
    """``(content type, extension)`` of an acceptable image, else the refusal."""
    if len(data) > max_bytes:
        raise DomainError("IMAGE_TOO_LARGE", _l("The image is larger than %(kb)s KB.", kb=max_bytes // 1024),
                          max_bytes=max_bytes, **({"field": field} if field else {}))
    kind = image_kind(data)
    if kind is None:
        raise image_type_invalid(field)
    return kind


def area_dir(area: str) -> Path:
    if not AREA_NAME.match(area):
        raise ValueError(f"bad image area {area!r}")
    return Path(current_app.instance_path) / "uploads" / area


def save_image(area: str, data: bytes, max_bytes: int, field: str | None = None) -> StoredImage:
    """Check ``data`` and keep it under ``instance/uploads/<area>/`` with a random name.  The
    caller records the name in its own transaction and calls ``remove_image`` if that fails."""
    content_type, ext = check_image(data, max_bytes, field)
    folder = area_dir(area)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{ext}"
    (folder / name).write_bytes(data)
    return StoredImage(name, content_type, len(data))


def remove_image(area: str, name: str) -> None:
    if STORED_NAME.match(name or ""):
        (area_dir(area) / name).unlink(missing_ok=True)


def image_response(area: str, name: str, private: bool = True) -> Response:
    """The stored image ``name`` of ``area`` (404 if it is not one of ours)."""
    if not STORED_NAME.match(name or ""):
        abort(404)
    path = area_dir(area) / name
    if not path.is_file():
        abort(404)
    response = Response(path.read_bytes(), mimetype=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    response.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
