"""``Idempotency-Key`` for the mall's POSTs (any domain's or plugin's), per member.

The core's ``idempotent_with`` does the work (same contract as staff POSTs); members are
not FAB users, so their records live in the mall's own table.
"""

from __future__ import annotations

from flask import g

from app.api import idempotent_with
from app.mall.models import MallIdempotency

# decorate a mall POST after ``@member_required``
member_idempotent = idempotent_with(lambda: MallIdempotency, "member_id", lambda: g.member.id)
