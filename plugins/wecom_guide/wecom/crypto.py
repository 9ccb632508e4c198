"""WeCom callback security (WXBizMsgCrypt), our own, on ``cryptography``.

WeCom's published scheme (INTEGRATIONS.md §2, pinned to its sample vectors in the tests):

- ``AESKey = base64decode(EncodingAESKey + "=")`` (32 bytes), AES-256-CBC, IV = ``AESKey[:16]``;
- plaintext = 16 random bytes ‖ 4-byte big-endian length ‖ message ‖ receiveid (the CorpID);
- PKCS#7 padding to a multiple of **32** bytes (a pad of 1..32 bytes: a 16-byte unpadder rejects
  real messages);
- ``msg_signature = sha1_hex("".join(sorted([token, timestamp, nonce, encrypt])))``.

Errors carry the library's codes: -40001 bad signature, -40002 XML parse, -40004 bad key,
-40005 receiveid mismatch, -40006 encrypt failure, -40007 decrypt failure, -40008 illegal buffer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from xml.etree import ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16
MAX_XML_BYTES = 64 * 1024

SIGNATURE_INVALID = -40001
XML_INVALID = -40002
KEY_INVALID = -40004
RECEIVEID_INVALID = -40005
ENCRYPT_FAILED = -40006
DECRYPT_FAILED = -40007
BUFFER_ILLEGAL = -40008

REASONS = {
    SIGNATURE_INVALID: "bad signature",
    XML_INVALID: "unreadable XML",
    KEY_INVALID: "invalid EncodingAESKey",
    RECEIVEID_INVALID: "receiveid mismatch",
    ENCRYPT_FAILED: "encrypt failure",
    DECRYPT_FAILED: "decrypt failure",
    BUFFER_ILLEGAL: "illegal buffer",
}


class WeComCryptoError(Exception):
    """A callback we refuse; ``code`` is the WXBizMsgCrypt code (-40001 …)."""

    def __init__(self, code: int, detail: str = ""):
        self.code = code
        self.reason = REASONS.get(code, "error")
        super().__init__(f"{code} {self.reason}" + (f": {detail}" if detail else ""))


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey."""
    if len(encoding_aes_key or "") != 43:
        raise WeComCryptoError(KEY_INVALID, "EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as err:
        raise WeComCryptoError(KEY_INVALID, str(err)) from err
    if len(key) != 32:
        raise WeComCryptoError(KEY_INVALID, "EncodingAESKey does not decode to 32 bytes")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """``msg_signature``: SHA-1 of the four strings sorted and joined."""
    return hashlib.sha1("".join(sorted([token, str(timestamp), str(nonce), encrypt])).encode()).hexdigest()


def pad(data: bytes) -> bytes:
    amount = BLOCK - len(data) % BLOCK  # 1..32: a whole block of 32 when already aligned
    return data + bytes([amount]) * amount


def unpad(data: bytes) -> bytes:
    if not data:
        raise WeComCryptoError(BUFFER_ILLEGAL, "empty plaintext")
    amount = data[-1]
    if not 1 <= amount <= BLOCK or amount > len(data) or data[-amount:] != bytes([amount]) * amount:
        raise WeComCryptoError(DECRYPT_FAILED, "bad padding")
    return data[:-amount]


class WXBizMsgCrypt:
    """Sign, check, encrypt and decrypt WeCom callback messages for one app."""

    def __init__(self, token: str, encoding_aes_key: str, receiveid: str):
        self.token = token
        self.key = aes_key(encoding_aes_key)
        self.receiveid = receiveid

    # -------------------------------------------------------------- low level
    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: str, random_prefix: bytes | None = None) -> str:
        """Base64 ciphertext of ``message`` (``random_prefix``: 16 bytes, fixed in tests)."""
        prefix = os.urandom(16) if random_prefix is None else random_prefix
        if len(prefix) != 16:
            raise WeComCryptoError(ENCRYPT_FAILED, "the random prefix must be 16 bytes")
        body = message.encode("utf-8")
        plain = prefix + struct.pack(">I", len(body)) + body + self.receiveid.encode("utf-8")
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(pad(plain)) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypt: str) -> str:
        """The message inside ``encrypt``; its receiveid must be ours."""
        try:
            raw = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError) as err:
            raise WeComCryptoError(DECRYPT_FAILED, "not base64") from err
        if not raw or len(raw) % 16:
            raise WeComCryptoError(DECRYPT_FAILED, "ciphertext is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        plain = unpad(decryptor.update(raw) + decryptor.finalize())
        if len(plain) < 20:
            raise WeComCryptoError(BUFFER_ILLEGAL, "plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise WeComCryptoError(BUFFER_ILLEGAL, "length beyond the plaintext")
        message, receiveid = plain[20 : 20 + length], plain[20 + length :]
        if not hmac.compare_digest(receiveid, self.receiveid.encode("utf-8")):
            raise WeComCryptoError(RECEIVEID_INVALID)
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError as err:
            raise WeComCryptoError(BUFFER_ILLEGAL, "message is not UTF-8") from err

    def check_signature(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected, (msg_signature or "").lower()):
            raise WeComCryptoError(SIGNATURE_INVALID)

    # -------------------------------------------------------------- WeCom's operations
    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The URL check (GET): the decrypted ``echostr`` to answer, bare."""
        self.check_signature(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def decrypt_message(self, body: bytes | str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """The event XML inside a callback POST body ``<xml>…<Encrypt/>…</xml>``."""
        encrypt = encrypted_field(body)
        self.check_signature(msg_signature, timestamp, nonce, encrypt)
        return self.decrypt(encrypt)

    def encrypt_message(
        self, message: str, nonce: str, timestamp: str, random_prefix: bytes | None = None
    ) -> str:
        """A signed, encrypted reply/event body as WeCom sends it."""
        encrypt = self.encrypt(message, random_prefix)
        sign = signature(self.token, timestamp, nonce, encrypt)
        return (
            f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt><MsgSignature><![CDATA[{sign}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The flat ``<xml><Name>text</Name>…</xml>`` of WeCom as a dict (DTDs and entities refused)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    if len(data) > MAX_XML_BYTES:
        raise WeComCryptoError(XML_INVALID, "body too large")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise WeComCryptoError(XML_INVALID, "DTDs are not accepted")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as err:
        raise WeComCryptoError(XML_INVALID, str(err)) from err
    return {child.tag: (child.text or "").strip() for child in root}


def encrypted_field(body: bytes | str) -> str:
    encrypt = parse_xml(body).get("Encrypt", "")
    if not encrypt:
        raise WeComCryptoError(XML_INVALID, "no Encrypt element")
    return encrypt
