"""QR codes drawn on the server (nothing loaded from the internet), for every package:
``qr_svg`` inline in a page or print sheet, ``qr_png`` for an API answer or an <img>."""

from __future__ import annotations

import io
import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    """The QR code of ``text`` as an inline ``<svg>`` element (no XML declaration)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return Markup(re.sub(r"^<\?xml[^>]*>\s*", "", image.to_string(encoding="unicode")))


def qr_png(text: str, box_size: int = 6) -> bytes:
    """The QR code of ``text`` as PNG bytes (error correction M, the standard 4-module margin)."""
    image = qrcode.make(text, box_size=box_size, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
