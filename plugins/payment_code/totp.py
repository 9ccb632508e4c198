"""The dynamic pay code (动态付款码): RFC 6238 TOTP in an 18-digit number a till's scanner reads.

Layout of a member's code: ``8`` + the member's opaque reference (9 random digits, stored
with the secret; never the phone or the member id) + the TOTP value (8 digits, 30 s step,
HMAC-SHA1, per-member random secret).  A card's static pay code is ``7`` + 17 random digits.
WeChat (10-15…) and Alipay (25-30…) codes start with other digits, so one scanner field
takes them all.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

import pyotp

STEP = 30  # seconds
DIGITS = 8
LENGTH = 18
MEMBER_PREFIX = "8"
CARD_PREFIX = "7"
REF_DIGITS = LENGTH - len(MEMBER_PREFIX) - DIGITS  # 9
EXPIRED_STEPS = 20  # an older code than the previous step, up to 10 minutes back: "expired"
CODE_RE = re.compile(r"^[0-9]{18}$")


def now() -> float:
    """The clock (tests replace it)."""
    return time.time()


def counter_at(at: float) -> int:
    return int(at // STEP)


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits from ``secrets``


def new_ref() -> str:
    return f"{secrets.randbelow(10**REF_DIGITS):0{REF_DIGITS}d}"


def new_card_code() -> str:
    return CARD_PREFIX + f"{secrets.randbelow(10 ** (LENGTH - 1)):0{LENGTH - 1}d}"


def otp(secret: str, counter: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).generate_otp(counter)


def member_code(secret: str, ref: str, counter: int) -> str:
    return MEMBER_PREFIX + ref + otp(secret, counter)


def expires_at(counter: int) -> float:
    """When the code of ``counter`` stops being the current one (it is accepted one step more)."""
    return (counter + 1) * STEP


@dataclass(frozen=True)
class Parsed:
    kind: str  # "member" or "card"
    ref: str = ""
    value: str = ""


def parse(code) -> Parsed | None:
    """A scanned code's parts; None when it is not a pay code at all (malformed)."""
    code = code.strip() if isinstance(code, str) else ""
    if not CODE_RE.match(code):
        return None
    if code.startswith(MEMBER_PREFIX):
        return Parsed("member", code[1 : 1 + REF_DIGITS], code[1 + REF_DIGITS :])
    if code.startswith(CARD_PREFIX):
        return Parsed("card", value=code)
    return None


def match(secret: str, value: str, at: float) -> tuple[str, int | None]:
    """``("ok", step)`` for the current or the previous step, ``("expired", step)`` for an older
    step (up to ``EXPIRED_STEPS``), else ``("wrong", None)``.  Constant-time comparisons."""
    current = counter_at(at)
    for step in (current, current - 1):
        if pyotp.utils.strings_equal(otp(secret, step), value):
            return "ok", step
    for step in range(current - 2, current - EXPIRED_STEPS - 1, -1):
        if pyotp.utils.strings_equal(otp(secret, step), value):
            return "expired", step
    return "wrong", None
