"""Trade-in rules: the state machine, who sees and who reviews an order, creating, quoting,
re-quoting and cancelling.  Views and the API only parse and call these.

The state machine (``transition``) is the one way an order changes state: a guarded
``UPDATE … WHERE id = :id AND state = :seen`` (two reviewers cannot both quote: the loser's
update matches no row and is refused with ``RECYCLE_STATE_CHANGED``), and a
``RecycleTransition`` row with who and when.  The bidding helper's settlement uses it for
quoted → paid → completed.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, or_, select, true, update

from app.actor import acting_user
from app.docnumbers.services import next_store_doc_no, register_doc_types
from app.errors import DomainError
from app.extensions import db
from app.formatting import yuan
from app.images import image_kind
from app.masking import mask_name, mask_phone
from app.platform.settings import get_setting
from app.security import NO_STORE, is_hq, scoped_store_id
from app.unit_of_work import unit_of_work
from plugins.recycle import bidding
from plugins.recycle.models import (
    BIDDING,
    CANCELLED,
    CATEGORIES,
    COMPLETED,
    CONDITION_CHECKS,
    MERCHANT_MODES,
    MODES,
    PAID,
    PENDING_REVIEW,
    PROVIDER_MODES,
    QUOTED,
    SETTLEMENT_METHODS,
    RecycleOrder,
    RecyclePhoto,
    RecycleProvider,
    RecycleProviderUser,
    RecycleQuote,
    RecycleTransition,
)
from plugins.recycle.settings import PHONE_CONTACT, PHOTO_MAX_KB, REQUOTE

ORDER_DOC = "HS"  # 回收
register_doc_types({ORDER_DOC: "trade-in (recycle) order"})

# to-state → the states it may come from
ALLOWED_FROM = {
    QUOTED: (PENDING_REVIEW,),
    PENDING_REVIEW: (QUOTED,),  # a re-quote
    PAID: (QUOTED,),
    COMPLETED: (PAID,),
    CANCELLED: (PENDING_REVIEW, QUOTED),
}
STAMPED = {PAID: "paid_at", COMPLETED: "completed_at", CANCELLED: "cancelled_at"}


def _not_found() -> DomainError:
    return DomainError("RECYCLE_ORDER_NOT_FOUND", _l("Trade-in order not found."))


# ---------------------------------------------------------------- the state machine
def transition(order_id: int, to: str, actor, *, note: str = "", **fields) -> RecycleOrder:
    """Move order ``order_id`` to state ``to`` (one of ``models.STATES``), setting ``fields``
    (columns of ``RecycleOrder``) in the same guarded statement, and record who (``actor``, a
    user or None for the system) and when.

    Refused with ``RECYCLE_STATE_INVALID`` when the order's state does not lead to ``to``,
    ``RECYCLE_STATE_CHANGED`` when a concurrent transaction moved it first,
    ``RECYCLE_ORDER_NOT_FOUND`` for an unknown id.  Joins the caller's unit of work (or owns one).
    """
    if to not in ALLOWED_FROM:
        raise ValueError(f"unknown trade-in state {to!r}")
    with unit_of_work():
        seen = db.session.scalar(select(RecycleOrder.state).where(RecycleOrder.id == order_id))
        if seen is None:
            raise _not_found()
        if seen not in ALLOWED_FROM[to]:
            raise DomainError(
                "RECYCLE_STATE_INVALID", _l("The trade-in order's state does not allow this."), state=seen
            )
        now = datetime.now()
        values = {
            **fields,
            "state": to,
            "changed_on": now,
            "changed_by_fk": actor.id if actor is not None else None,
        }
        if to in STAMPED:
            values.setdefault(STAMPED[to], now)
        moved = db.session.execute(
            update(RecycleOrder)
            .where(RecycleOrder.id == order_id, RecycleOrder.state == seen)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            raise DomainError(
                "RECYCLE_STATE_CHANGED", _l("Someone else changed this trade-in order first; reload it.")
            )
        db.session.add(
            RecycleTransition(
                order_id=order_id,
                from_state=seen,
                to_state=to,
                user_id=actor.id if actor is not None else None,
                note=note[:200],
                created_on=now,
            )
        )
        db.session.flush()
        return db.session.get(RecycleOrder, order_id, populate_existing=True)


# ---------------------------------------------------------------- who sees, who reviews
def provider_id_of(user) -> int | None:
    """The service provider ``user`` is bound to (``recycle_provider_user``), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(RecycleProviderUser.provider_id).where(RecycleProviderUser.user_id == user.id)
    )


def visibility(viewer):
    """The condition on ``RecycleOrder`` of what ``viewer`` may see: HQ everything; a provider's
    user the orders assigned to its provider or open for its bids; store staff their store's."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return false()
    if is_hq(viewer):
        return true()
    provider_id = provider_id_of(viewer)
    if provider_id is not None:
        return or_(RecycleOrder.provider_id == provider_id, bidding.open_for_bids_filter(provider_id))
    store_id = scoped_store_id(viewer)
    if store_id in (None, NO_STORE):
        return false()
    return RecycleOrder.store_id == store_id


def visible_orders(viewer):
    """``select(RecycleOrder)`` limited to what ``viewer`` may see (lists, pages, API, export)."""
    return select(RecycleOrder).where(visibility(viewer))


def visible_order(viewer, order_id) -> RecycleOrder:
    """The order if ``viewer`` may see it, else ``RECYCLE_ORDER_NOT_FOUND`` (never 403: an order of
    another provider or store does not exist for the caller)."""
    if not isinstance(order_id, int):
        raise _not_found()
    order = db.session.scalars(visible_orders(viewer).where(RecycleOrder.id == order_id)).first()
    if order is None:
        raise _not_found()
    return order


def reviewer_of(order: RecycleOrder) -> tuple[str, int | None]:
    """Who reviews ``order`` (F3.10): ``("merchant", None)`` for self-operated and data-authorized,
    ``("provider", id)`` for half/full package (the assigned provider) and bidding (the winning
    bidder; None while there is none)."""
    if order.mode in MERCHANT_MODES:
        return "merchant", None
    if order.mode in PROVIDER_MODES:
        return "provider", order.provider_id
    if order.mode == BIDDING:
        return "provider", bidding.winning_provider_id(order.id)
    raise ValueError(f"unknown trade-in mode {order.mode!r}")


def check_reviewer(order: RecycleOrder, user) -> int | None:
    """Refuse unless ``user`` reviews ``order``; returns the reviewing provider's id (None: merchant)."""
    kind, provider_id = reviewer_of(order)
    if kind == "merchant":
        if is_hq(user):
            return None
    else:
        if provider_id is None:
            raise DomainError("RECYCLE_NO_WINNER", _l("This bidding trade-in has no winning bidder yet."))
        if provider_id_of(user) == provider_id:
            return provider_id
    raise DomainError("RECYCLE_NOT_REVIEWER", _l("You are not the reviewer of this trade-in order."))


def sees_customer_masked(viewer) -> bool:
    """A service provider's user sees the customer's name and phone masked (it buys the device,
    the store talks to the customer); HQ and store staff see them whole."""
    return provider_id_of(viewer) is not None and not is_hq(viewer)


def shown_customer(viewer, order: RecycleOrder) -> dict:
    """``member`` (its label), ``customer_name`` and ``customer_phone`` of ``order`` as ``viewer``
    may see them, on every page and API answer: masked for a service provider; for HQ and the
    store as taken in, or as the member's privacy rules show the member (member_privacy)."""
    from app.members.services import member_contact, member_label

    member = order.member
    if sees_customer_masked(viewer):
        return {
            "member": f"{member.member_no} {mask_name(member.name)}" if member is not None else None,
            "customer_name": mask_name(order.customer_name),
            "customer_phone": mask_phone(order.customer_phone),
        }
    if member is None:
        return {"member": None, "customer_name": order.customer_name, "customer_phone": order.customer_phone}
    phone, name = member_contact(member, viewer, order.customer_phone, order.customer_name)
    return {"member": member_label(member, viewer), "customer_name": name, "customer_phone": phone}


def may_review(order: RecycleOrder, user) -> bool:
    try:
        check_reviewer(order, user)
    except DomainError:
        return False
    return True


def current_user_or(actor):
    return actor if actor is not None else acting_user()


def next_order_no(store_id: int) -> str:
    return next_store_doc_no(ORDER_DOC, store_id)


def quote_history(order_id: int) -> list[RecycleQuote]:
    return list(
        db.session.scalars(
            select(RecycleQuote).where(RecycleQuote.order_id == order_id).order_by(RecycleQuote.id)
        )
    )


def transitions_of(order_id: int) -> list[RecycleTransition]:
    return list(
        db.session.scalars(
            select(RecycleTransition)
            .where(RecycleTransition.order_id == order_id)
            .order_by(RecycleTransition.id)
        )
    )


# ---------------------------------------------------------------- device checks
def luhn_digit(digits: str) -> str:
    """The Luhn check digit that follows ``digits``."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def imei_valid(imei: str) -> bool:
    """15 digits whose last one is the Luhn check digit of the first 14."""
    if not (isinstance(imei, str) and len(imei) == 15 and imei.isascii() and imei.isdigit()):
        return False
    return imei[-1] == luhn_digit(imei[:14])


def check_imei(imei) -> str | None:
    if imei in (None, ""):
        return None
    if not imei_valid(imei):
        raise DomainError(
            "RECYCLE_IMEI_INVALID", _l("The IMEI must be 15 digits with a valid check digit."), field="imei"
        )
    return imei


# ---------------------------------------------------------------- photos
PHOTO_FORMATS = ("jpg", "png", "webp")  # what a trade-in photo may be (no GIF animations)


def image_type(data: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` of a JPEG, PNG or WebP photo, judged by its content (the core's
    Pillow check: the declared type and file name are not trusted), else None."""
    kind = image_kind(data)
    return kind if kind is not None and kind[1] in PHOTO_FORMATS else None


def photo_dir() -> Path:
    return Path(current_app.instance_path) / "recycle_photos"


def photo_path(photo: RecyclePhoto) -> Path:
    return photo_dir() / photo.file_name


def max_photo_bytes() -> int:
    return int(get_setting(PHOTO_MAX_KB)) * 1024


def save_photo(store_id: int, user, data: bytes) -> RecyclePhoto:
    """Check and keep one photo of a device (not yet on an order) under the instance folder."""
    limit = max_photo_bytes()
    if len(data) > limit:
        raise DomainError(
            "RECYCLE_PHOTO_TOO_LARGE",
            _l("The photo is larger than %(kb)s KB.", kb=limit // 1024),
            max_bytes=limit,
        )
    kind = image_type(data)
    if kind is None:
        raise DomainError("RECYCLE_PHOTO_TYPE_INVALID", _l("A photo must be a JPEG, PNG or WebP image."))
    content_type, ext = kind
    folder = photo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{ext}"
    (folder / name).write_bytes(data)
    with unit_of_work():
        photo = RecyclePhoto(
            store_id=store_id,
            uploaded_by_id=getattr(user, "id", None),
            file_name=name,
            content_type=content_type,
            size=len(data),
            created_on=datetime.now(),
        )
        db.session.add(photo)
    return photo


def decode_photo(text) -> bytes:
    """The bytes of a base64 photo (the JSON API's way to send one)."""
    try:
        return base64.b64decode(text or "", validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(
            "RECYCLE_PHOTO_TYPE_INVALID", _l("A photo must be a JPEG, PNG or WebP image.")
        ) from None


def visible_photo(viewer, photo_id) -> RecyclePhoto:
    """A photo of an order ``viewer`` may see (or an unattached one of the viewer's store)."""
    photo = db.session.get(RecyclePhoto, photo_id) if isinstance(photo_id, int) else None
    if photo is not None and photo.order_id is not None:
        visible_order(viewer, photo.order_id)
        return photo
    if photo is not None and photo.order_id is None and photo.uploaded_by_id == getattr(viewer, "id", -1):
        return photo
    raise DomainError("NOT_FOUND", _l("Not found."))


# ---------------------------------------------------------------- notifications
def _default_locale():
    return force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh"))


def device_text(order: RecycleOrder) -> str:
    return " ".join(p for p in (order.brand, order.model, order.capacity, order.colour) if p)


def reviewer_user_ids(order: RecycleOrder) -> list[int]:
    """Who reviews ``order`` now: HQ users (merchant modes) or the provider's active users."""
    from flask_appbuilder.security.sqla.models import User

    from app.messages.services import hq_user_ids

    kind, provider_id = reviewer_of(order)
    if kind == "merchant":
        return hq_user_ids()
    if provider_id is None:
        return []
    return list(
        db.session.scalars(
            select(RecycleProviderUser.user_id)
            .join(User, User.id == RecycleProviderUser.user_id)
            .where(RecycleProviderUser.provider_id == provider_id, User.active.is_(True))
            .order_by(RecycleProviderUser.user_id)
        )
    )


def _guide_user_ids(order: RecycleOrder) -> list[int]:
    return [order.guide.user_id] if order.guide is not None else []


def notify_reviewers(order: RecycleOrder, requote: bool = False) -> None:
    from app.messages.services import post_message

    with _default_locale():
        if requote:
            title = gettext("Trade-in %(order_no)s: re-quote requested", order_no=order.order_no)
        else:
            title = gettext("Trade-in %(order_no)s to review", order_no=order.order_no)
        body = gettext(
            "%(device)s at %(store)s, mode %(mode)s.",
            device=device_text(order),
            store=order.store.name,
            mode=gettext(MODE_LABELS[order.mode]),
        )
    post_message(reviewer_user_ids(order), title, body, kind="recycle")


def notify_quote(order: RecycleOrder) -> None:
    from app.messages.services import post_message
    from app.messages.sms import send_sms

    with _default_locale():
        sms = gettext(
            "Your trade-in %(order_no)s (%(device)s) is priced at %(amount)s yuan.",
            order_no=order.order_no,
            device=device_text(order),
            amount=yuan(order.quote_fen),
        )
        title = gettext(
            "Trade-in %(order_no)s quoted: %(amount)s yuan",
            order_no=order.order_no,
            amount=yuan(order.quote_fen),
        )
    if order.customer_phone:
        send_sms(order.customer_phone, "recycle_quoted", sms)
    post_message(_guide_user_ids(order), title, sms, kind="recycle")


def notify_requote(order: RecycleOrder, old_fen: int | None) -> None:
    from app.messages.sms import send_sms

    with _default_locale():
        sms = gettext(
            "Your trade-in %(order_no)s (%(device)s) is being re-quoted; the earlier price "
            "was %(amount)s yuan. We will send you the new price.",
            order_no=order.order_no,
            device=device_text(order),
            amount=yuan(old_fen),
        )
    if order.customer_phone:
        send_sms(order.customer_phone, "recycle_requote", sms)
    notify_reviewers(order, requote=True)


# ---------------------------------------------------------------- labels
MODE_LABELS = {
    "self_operated": _l("Self-operated"),
    "data_authorized": _l("Data-authorized"),
    "half_package": _l("Half-package"),
    "full_package": _l("Full-package"),
    "bidding": _l("Bidding"),
}


# ---------------------------------------------------------------- orders
def _provider(provider_id) -> RecycleProvider:
    provider = db.session.get(RecycleProvider, provider_id) if isinstance(provider_id, int) else None
    if provider is None or not provider.active:
        raise DomainError(
            "RECYCLE_PROVIDER_NOT_FOUND", _l("Unknown or inactive service provider."), field="provider"
        )
    return provider


def _choice(value, allowed, code, message, field):
    if value not in allowed:
        raise DomainError(code, message, field=field)
    return value


def create_order(user, store_id: int, guide_id: int | None, data: dict) -> RecycleOrder:
    """Take in a device at store ``store_id``: a pending-review order with its photos.

    ``data``: mode, provider_id (half/full package), settlement_method, category, brand, model,
    capacity, colour, imei and/or serial_no, condition (checklist keys), remark, the customer
    (member_id, or customer_phone [+ customer_name] of a walk-in) and photo_ids (at least one,
    uploaded by this store and on no order yet).  A bidding-mode order opens for bids at once
    (the settings' deadline and minimum bid).  Notifies the reviewers.
    """
    from app.members.services import validate_phone, visible_member

    mode = _choice(data.get("mode"), MODES, "RECYCLE_MODE_INVALID", _l("Unknown trade-in mode."), "mode")
    provider_id = data.get("provider_id")
    if mode in PROVIDER_MODES:
        if provider_id is None:
            raise DomainError(
                "RECYCLE_PROVIDER_REQUIRED",
                _l("A half- or full-package trade-in needs its service provider."),
                field="provider",
            )
        provider_id = _provider(provider_id).id
    else:
        provider_id = None  # merchant modes have none; a bidding order gets its winner's
    settlement = data.get("settlement_method") or "payment_code"
    _choice(
        settlement,
        SETTLEMENT_METHODS,
        "VALIDATION_ERROR",
        _l("Unknown settlement method."),
        "settlement_method",
    )
    _choice(data.get("category"), CATEGORIES, "VALIDATION_ERROR", _l("Unknown device category."), "category")
    imei = check_imei(data.get("imei"))
    serial_no = (data.get("serial_no") or "").strip()
    if imei is None and not serial_no:
        raise DomainError(
            "RECYCLE_DEVICE_ID_REQUIRED", _l("Give the device's IMEI or its serial number."), field="imei"
        )
    condition = list(dict.fromkeys(data.get("condition") or []))
    for key in condition:
        _choice(key, CONDITION_CHECKS, "VALIDATION_ERROR", _l("Unknown condition check."), "condition")
    member = None
    if data.get("member_id") is not None:
        member_id = data["member_id"]
        member = visible_member(user, "api", member_id) if isinstance(member_id, int) else None
        if member is None:
            raise DomainError("MEMBER_NOT_FOUND", _l("Member not found."))
        phone, name = member.phone, member.name
    elif data.get("customer_phone"):
        phone, name = validate_phone(data["customer_phone"]), (data.get("customer_name") or "").strip()[:50]
    else:
        raise DomainError(
            "RECYCLE_CUSTOMER_REQUIRED",
            _l("Give the member or the walk-in customer's phone."),
            field="customer_phone",
        )
    photo_ids = list(dict.fromkeys(data.get("photo_ids") or []))
    if not photo_ids:
        raise DomainError(
            "RECYCLE_PHOTOS_REQUIRED", _l("Add at least one photo of the device."), field="photos"
        )
    with unit_of_work():
        order = RecycleOrder(
            order_no=next_order_no(store_id),
            store_id=store_id,
            guide_id=guide_id,
            member_id=member.id if member is not None else None,
            customer_phone=phone,
            customer_name=name,
            mode=mode,
            provider_id=provider_id,
            settlement_method=settlement,
            category=data["category"],
            brand=data["brand"].strip(),
            model=data["model"].strip(),
            capacity=(data.get("capacity") or "").strip(),
            colour=(data.get("colour") or "").strip(),
            imei=imei,
            serial_no=serial_no,
            condition=condition,
            remark=(data.get("remark") or "").strip(),
            state=PENDING_REVIEW,
        )
        db.session.add(order)
        db.session.flush()
        claimed = db.session.execute(
            update(RecyclePhoto)
            .where(
                RecyclePhoto.id.in_(photo_ids),
                RecyclePhoto.order_id.is_(None),
                RecyclePhoto.store_id == store_id,
            )
            .values(order_id=order.id)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != len(photo_ids):
            raise DomainError(
                "RECYCLE_PHOTO_NOT_FOUND",
                _l("A photo is unknown, of another store or on another order already."),
                field="photos",
            )
        db.session.add(
            RecycleTransition(
                order_id=order.id,
                from_state=None,
                to_state=PENDING_REVIEW,
                user_id=getattr(user, "id", None),
                created_on=datetime.now(),
            )
        )
        bidding.open_for_new_order(order, user)
        notify_reviewers(order)
    return order


def quote(user, order_id: int, amount_fen, remark: str = "") -> RecycleOrder:
    """The reviewer prices a pending order: pending_review → quoted, the price into the quote
    history, the customer (SMS) and the guide (message center) told."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise DomainError(
            "RECYCLE_QUOTE_INVALID", _l("The quote must be more than zero yuan."), field="amount_fen"
        )
    with unit_of_work():
        order = visible_order(user, order_id)
        provider_id = check_reviewer(order, user)
        now = datetime.now()
        fields = dict(quote_fen=amount_fen, quoted_by_id=user.id, quoted_at=now)
        if provider_id is not None:
            fields["provider_id"] = provider_id  # a bidding order is its winner's from now on
        order = transition(order.id, QUOTED, user, **fields)
        db.session.add(
            RecycleQuote(
                order_id=order.id,
                amount_fen=amount_fen,
                quoted_by_id=user.id,
                provider_id=provider_id,
                remark=(remark or "").strip()[:200],
                created_on=now,
            )
        )
        notify_quote(order)
    return order


def requote(user, order_id: int, confirm) -> RecycleOrder:
    """The guide re-opens a quoted order (setting ``recycle.requote_enabled``, after a
    confirmation): back to pending review, the old price kept in the history (superseded),
    the SMS and the reviewers' messages sent again."""
    if not get_setting(REQUOTE):
        raise DomainError("RECYCLE_REQUOTE_DISABLED", _l("Re-quoting is turned off."))
    if confirm is not True:
        raise DomainError("RECYCLE_CONFIRM_REQUIRED", _l("Confirm the re-quote first."), field="confirm")
    with unit_of_work():
        order = visible_order(user, order_id)
        old = order.quote_fen
        order = transition(
            order.id,
            PENDING_REVIEW,
            user,
            note="requote",
            quote_fen=None,
            quoted_by_id=None,
            quoted_at=None,
            requote_count=order.requote_count + 1,
        )
        db.session.execute(
            update(RecycleQuote)
            .where(RecycleQuote.order_id == order.id, RecycleQuote.superseded_at.is_(None))
            .values(superseded_at=datetime.now())
            .execution_options(synchronize_session=False)
        )
        notify_requote(order, old)
    return order


def cancel(user, order_id: int, reason: str = "") -> RecycleOrder:
    """Store staff of the order's store (or HQ) cancel a pending or quoted order."""
    with unit_of_work():
        order = visible_order(user, order_id)
        if provider_id_of(user) is not None and not is_hq(user):
            raise DomainError("RECYCLE_NOT_REVIEWER", _l("You are not the reviewer of this trade-in order."))
        return transition(order.id, CANCELLED, user, note=(reason or "").strip()[:200])


# ---------------------------------------------------------------- phone contact (F3.9)
def phone_contact_on() -> bool:
    return bool(get_setting(PHONE_CONTACT))


def guide_phone(order: RecycleOrder) -> str | None:
    """The guide's phone shown to the reviewer (None while the setting is off)."""
    if not phone_contact_on() or order.guide is None:
        return None
    return order.guide.phone or None


def reviewer_phone(order: RecycleOrder) -> str | None:
    """The reviewer's phone shown to the guide: the provider's contact phone, or the staff phone
    of the merchant reviewer who quoted (None while the setting is off or nobody is known)."""
    if not phone_contact_on():
        return None
    kind, provider_id = reviewer_of(order)
    if kind == "provider":
        provider = db.session.get(RecycleProvider, provider_id) if provider_id else None
        return (provider.contact_phone or None) if provider is not None else None
    if order.quoted_by_id is None:
        return None
    from app.platform.staff import Staff

    return db.session.scalar(select(Staff.phone).where(Staff.user_id == order.quoted_by_id)) or None
