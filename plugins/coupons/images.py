"""QR codes and barcodes of coupons as PNG images (the core's ``app.qr`` draws the QR codes)."""

from __future__ import annotations

import base64
import io

from app.qr import qr_png

__all__ = ["qr_png", "qr_png_base64", "modules_png"]


def qr_png_base64(text: str) -> str:
    return base64.b64encode(qr_png(text)).decode("ascii")


def modules_png(row: list[bool], scale: int, height: int) -> bytes:
    """A black-on-white greyscale PNG of one row of dark/light modules (a 1-D barcode), each
    module ``scale`` pixels wide, ``height`` pixels tall."""
    from PIL import Image

    pixels = bytes(0 if dark else 255 for dark in row for _ in range(scale))
    image = Image.frombytes("L", (len(pixels), 1), pixels).resize((len(pixels), height), Image.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
