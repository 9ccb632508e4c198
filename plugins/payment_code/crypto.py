"""Secrets at rest: member TOTP secrets and cards' static pay codes are Fernet-encrypted with a
key derived from ``SECRET_KEY``; a static pay code is found by its HMAC (another derived key).

Derivation: HKDF-SHA256 over ``SECRET_KEY`` with a fixed salt and one ``info`` per purpose, so
neither key is the app's signing key and the two never coincide.  Changing ``SECRET_KEY``
makes the stored secrets unreadable: members get a new secret at their next code (the mall
does it), printed card codes stop working (make the cards again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

SALT = b"retail_admin.payment_code"
CACHE = "payment_code.keys"

__all__ = ["InvalidToken", "decrypt", "encrypt", "lookup_hash"]


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=info).derive(secret)


def _keys() -> tuple[Fernet, bytes]:
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode()
    cached = current_app.extensions.get(CACHE)
    if cached is None or cached[0] != key:
        fernet = Fernet(base64.urlsafe_b64encode(_derive(key, b"secrets at rest v1")))
        cached = current_app.extensions[CACHE] = (key, fernet, _derive(key, b"pay code lookup v1"))
    return cached[1], cached[2]


def encrypt(text: str) -> str:
    return _keys()[0].encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The clear text; ``InvalidToken`` when the key changed or the value was tampered with."""
    return _keys()[0].decrypt(token.encode("ascii")).decode()


def lookup_hash(code: str) -> str:
    """The HMAC-SHA256 (hex) a static pay code is looked up by."""
    return hmac.new(_keys()[1], code.encode(), hashlib.sha256).hexdigest()
