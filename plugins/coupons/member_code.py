"""The code a member shows at the till for an electronic coupon: number + signed part.

Electronic coupon numbers are sequential (``DC000000``, ``DC000001`` …, the seed's
numbering), so a number alone must not redeem a member's coupon: the POS redeems it
when the member is identified on the sale, or from this code, which the mall shows the
member as a QR code and a Code 128 barcode. The signed part is an HMAC over the coupon
number and its member with ``SECRET_KEY``: a transfer to a friend makes a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app

SEPARATOR = "."  # never in a coupon number (prefix/suffix: letters, digits, dashes)
SALT = "coupons.member-code"
TAG_LENGTH = 10  # base32 characters: 50 bits


def split_code(presented: str | None) -> tuple[str, str]:
    """``"DC000001.K3J…"`` → ``("DC000001", "K3J…")``; a bare number has an empty tag."""
    code, _, tag = (presented or "").strip()[:64].partition(SEPARATOR)
    return code.strip(), tag.strip().upper()


def member_tag(code: str, member_id: int) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode()
    digest = hmac.new(key, f"{SALT}:{code}:{member_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:TAG_LENGTH]


def member_code(code: str, member_id: int) -> str:
    """What the mall shows the member (and the till scans)."""
    return f"{code}{SEPARATOR}{member_tag(code, member_id)}"


def tag_matches(code: str, member_id: int, tag: str) -> bool:
    return bool(tag) and hmac.compare_digest(tag, member_tag(code, member_id))


# ---------------------------------------------------------------- Code 128 (set B) as PNG

# bar/space widths of the symbol values 0–106 (106 = stop, with its termination bar)
PATTERNS = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 "
    "221312 231212 112232 122132 122231 113222 123122 123221 223211 221132 "
    "221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 "
    "212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 "
    "231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 "
    "231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 "
    "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 "
    "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 "
    "111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 "
    "214121 412121 111143 111341 131141 114113 114311 411113 411311 113141 "
    "114131 311141 411131 211412 211214 211232 2331112"
).split()
START_B, STOP, QUIET = 104, 106, 10


def code128_modules(text: str) -> list[bool]:
    """The dark/light modules of ``text`` (printable ASCII) in Code 128 set B, quiet zones included."""
    values = [ord(ch) - 32 for ch in text]
    if any(not 0 <= v <= 94 for v in values):
        raise ValueError("Code 128 set B encodes printable ASCII only")
    checksum = (START_B + sum(i * v for i, v in enumerate(values, start=1))) % 103
    modules = [False] * QUIET
    for value in (START_B, *values, checksum, STOP):
        for i, width in enumerate(PATTERNS[value]):
            modules.extend([i % 2 == 0] * int(width))
    return modules + [False] * QUIET


def barcode_png(text: str, scale: int = 2, height: int = 40) -> bytes:
    from plugins.coupons.images import modules_png

    return modules_png(code128_modules(text), scale=scale, height=height)
