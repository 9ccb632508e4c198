"""Personal data shown masked: a phone as ``138****0000``, a name as ``张*``.

Who sees what masked is the caller's rule (a privacy plugin for members, a plugin's own
rule for the people on its records); these only mask.
"""

from __future__ import annotations


def mask_phone(phone: str | None) -> str | None:
    """``13812340000`` → ``138****0000``."""
    if not phone:
        return phone
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return phone[:1] + "*" * (len(phone) - 1)


# compound surnames kept whole when masking a name (``欧阳娜娜`` → ``欧阳**``)
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 南宫 独孤 "
    "西门 百里 呼延 澹台 公冶 太史 申屠 闻人 赫连 钟离 濮阳 万俟 第五 左丘 东郭 拓跋".split()
)


def mask_name(name: str | None) -> str | None:
    """Keep the surname's first character: ``张三`` → ``张*``; a compound surname stays whole."""
    if not name or len(name) == 1:
        return name
    keep = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:keep] + "*" * (len(name) - keep)
