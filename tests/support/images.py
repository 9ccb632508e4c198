"""Real pictures for upload tests (uploads are judged by their content: Pillow must read them)."""

from __future__ import annotations

import base64
import io


def png(width: int = 8, height: int = 8, colour=(200, 30, 30), spot=None) -> bytes:
    """A PNG of ``width`` × ``height`` in ``colour``, with a dark ``spot`` rectangle
    ``(left, top, right, bottom)`` when given (something to see on a screenshot)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), colour)
    if spot is not None:
        ImageDraw.Draw(image).rectangle(spot, fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_base64(width: int = 8, height: int = 8) -> str:
    """``png()`` as the JSON APIs take a picture."""
    return base64.b64encode(png(width, height)).decode()
