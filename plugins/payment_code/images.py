"""Code 128 barcodes as PNG (python-barcode, drawn with pillow); QR codes come from ``app.qr``."""

from __future__ import annotations

import io

import barcode
from barcode.writer import ImageWriter


def barcode_png(text: str, with_text: bool = True) -> bytes:
    out = io.BytesIO()
    barcode.get("code128", text, writer=ImageWriter()).write(
        out, options={"write_text": with_text, "module_width": 0.3, "module_height": 12, "quiet_zone": 4,
                      "font_size": 8, "text_distance": 3, "dpi": 200})
    return out.getvalue()
