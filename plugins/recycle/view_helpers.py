"""What the plugin's admin pages share: the trade-in order a page is about."""

from __future__ import annotations

from flask import abort

from app.actor import acting_user
from app.errors import DomainError
from plugins.recycle.models import RecycleOrder
from plugins.recycle.services import visible_order


def visible_order_or_404(order_id) -> RecycleOrder:
    """The order the signed-in user may see (``services.visible_order``), else 404: another
    provider's or store's order, or a malformed id, does not exist for the page."""
    try:
        return visible_order(acting_user(), int(order_id))
    except (DomainError, TypeError, ValueError):
        abort(404)
