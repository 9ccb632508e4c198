"""SMS backend: the default writes every message to the outbox table (visible in the admin).

A real gateway replaces ``send_sms`` through the ``SMS_BACKEND`` config key
(dotted path to a function with the same signature).
"""

from __future__ import annotations

from flask import current_app
from werkzeug.utils import import_string

from app.extensions import db
from app.messages.models import SmsOutbox


def outbox_backend(phone: str, template: str, body: str) -> SmsOutbox:
    row = SmsOutbox(phone=phone, template=template, body=body[:500], status="sent")
    db.session.add(row)
    return row


def send_sms(phone: str, template: str, body: str):
    """Send (queue) an SMS in the caller's transaction; never commits."""
    backend = current_app.config.get("SMS_BACKEND")
    function = import_string(backend) if backend else outbox_backend
    return function(phone, template, body)
