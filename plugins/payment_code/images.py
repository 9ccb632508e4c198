"""QR codes and Code 128 barcodes as PNG (qrcode and python-barcode, drawn with pillow)."""

from __future__ import annotations

import io

import barcode
import qrcode
from barcode.writer import ImageWriter


def qr_png(text: str, box_size: int = 6) -> bytes:
    image = qrcode.make(text, box_size=box_size, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def barcode_png(text: str, with_text: bool = True) -> bytes:
    out = io.BytesIO()
    barcode.get("code128", text, writer=ImageWriter()).write(
        out, options={"write_text": with_text, "module_width": 0.3, "module_height": 12, "quiet_zone": 4,
                      "font_size": 8, "text_distance": 3, "dpi": 200})
    return out.getvalue()
