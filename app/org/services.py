"""Org services: the single place that changes stores and staff."""

from datetime import datetime

from app.extensions import db
from app.org.models import Staff
from app.platform.audit import audit
from app.plugins import plugin_host


def mark_staff_left(staff: Staff, user=None) -> Staff:
    """Mark a staff member as left and tell plugins (``retail_staff_left``), atomically."""
    if staff.status == "left":
        return staff
    try:
        staff.status = "left"
        staff.left_on = datetime.now()
        staff.user.active = False
        audit("staff.left", "staff", staff.id, user=user)
        db.session.flush()
        plugin_host().hook("retail_staff_left")(staff=staff)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return staff
