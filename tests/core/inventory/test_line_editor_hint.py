"""The stock document's line editor is a grid: its hint says how to use the grid (look-up on
Enter, quantity, keys), in Chinese and English, not the old free-text "CODE QTY" format."""

import re


def _lines_hint(client) -> str:
    html = client.get("/stockdocview/add").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if 'name="lines_text"' in r)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def test_line_editor_hint_describes_the_grid(admin_client):
    hint = _lines_hint(admin_client)
    assert "按回车" in hint and "现有库存" in hint and "实盘数量" in hint and "Ctrl+Backspace" in hint
    assert "SKU001 5" not in hint and "每个 SKU 一行" not in hint
    admin_client.get("/lang/en")
    try:
        hint = _lines_hint(admin_client)
    finally:
        admin_client.get("/lang/zh")
    assert "press Enter" in hint and "stock on hand" in hint and "counted quantity" in hint
    assert "SKU001 5" not in hint
