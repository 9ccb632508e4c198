"""QR codes and barcodes as PNG images, drawn without an imaging library."""

from __future__ import annotations

import base64
import struct
import zlib

import qrcode


def _png(matrix: list[list[bool]], scale: int = 6) -> bytes:
    """A black-on-white greyscale PNG of a QR module matrix (no imaging library needed)."""
    rows = []
    for line in matrix:
        pixels = b"".join((b"\x00" if cell else b"\xff") * scale for cell in line)
        rows.extend([b"\x00" + pixels] * scale)
    width = len(matrix[0]) * scale
    height = len(matrix) * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def qr_png(text: str) -> bytes:
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return _png(code.get_matrix())


def qr_png_base64(text: str) -> str:
    return base64.b64encode(qr_png(text)).decode("ascii")
