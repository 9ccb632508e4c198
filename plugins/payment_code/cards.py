"""Stored-value cards: batches (批量制卡) made by a background job, the card ledger, freezing,
binding to a member (directly, or with a one-time binding QR) and the card numbers rule.

A card is its own ledger: ``payment_code_card.balance_fen`` moves only with a guarded
``UPDATE … SET balance_fen = balance_fen + :d WHERE … AND balance_fen + :d >= 0 RETURNING``
plus one ``payment_code_card_txn`` row, in the caller's transaction, so the balance always
equals the sum of the card's transactions (the opening ``issue`` row included).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, func, insert, literal, select, update

from app.docnumbers.services import HEAD_OFFICE, next_doc_no, next_store_doc_no, register_doc_types
from app.errors import DomainError
from app.extensions import core_execute, db
from app.members.models import Member
from app.platform.settings import get_setting
from app.unit_of_work import unit_of_work
from plugins.payment_code import crypto, totp
from plugins.payment_code.models import CODE_KINDS, Card, CardBatch, CardBindToken, CardTxn

CARD_TXN, CARD_BATCH = "VC", "VB"
register_doc_types({CARD_TXN: "stored-value card transaction", CARD_BATCH: "stored-value card batch"})

CHUNK = 5_000
FACE_VALUE_MAX_FEN = 10_000_000  # 100,000 yuan
PREFIX_RE = re.compile(r"^[A-Za-z0-9]{0,10}$")
BIND_SALT = "payment_code.card-binding"


def store_doc_no(doc_type: str, store_id: int | None) -> str:
    """The next number of a store's document, the store's code from the worker's cache."""
    from app.org.services import cached_store

    store = cached_store(store_id) if store_id is not None else None
    return next_doc_no(doc_type, store.code if store else HEAD_OFFICE)


def card_not_found() -> DomainError:
    return DomainError("CARD_NOT_FOUND", _l("Card not found."))


def get_card(card_no: str) -> Card:
    card = db.session.scalar(select(Card).where(Card.card_no == (card_no or "").strip()[:40]))
    if card is None:
        raise card_not_found()
    return card


# ---------------------------------------------------------------- the card ledger


def change_card_balance(card: Card, amount_fen: int, kind: str, store_id: int | None, doc_no: str = "",
                        staff_id: int | None = None, txn_no: str | None = None) -> CardTxn:
    """Move a card's balance by ``amount_fen`` (signed) with a ledger row (no commit).

    A spend (negative) needs an active card within its validity and enough balance."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen == 0:
        raise DomainError("INVALID_AMOUNT", _l("The amount must be a non-zero whole number of fen."))
    table = Card.__table__
    guard = [table.c.id == card.id, table.c.balance_fen + amount_fen >= 0]
    if amount_fen < 0:
        guard.append(table.c.status == "active")
    balance = core_execute(
        update(table).where(*guard).values(balance_fen=table.c.balance_fen + amount_fen)
        .returning(table.c.balance_fen)
    ).scalar()
    if balance is None:
        status = db.session.scalar(select(table.c.status).where(table.c.id == card.id))
        if status == "frozen":
            raise DomainError("CARD_FROZEN", _l("This card is frozen."))
        raise DomainError("INSUFFICIENT_BALANCE", _l("The card's balance is not enough."))
    txn = CardTxn(
        card_id=card.id, kind=kind, amount_fen=amount_fen, balance_after_fen=balance,
        txn_no=txn_no or store_doc_no(CARD_TXN, store_id), doc_no=doc_no or "",
        store_id=store_id, member_id=card.member_id, staff_id=staff_id, created_on=datetime.now(),
    )
    db.session.add(txn)
    db.session.flush()
    return txn


def card_txn(txn_no: str) -> CardTxn | None:
    return db.session.scalar(select(CardTxn).where(CardTxn.txn_no == txn_no, CardTxn.kind == "consume"))


# ---------------------------------------------------------------- freezing


def set_frozen(card_ids: list[int], frozen: bool, user=None) -> int:
    """Freeze (a frozen card's code is refused at once) or unfreeze cards; commits. Returns how
    many changed."""
    from app.platform.audit import audit

    old, new = ("active", "frozen") if frozen else ("frozen", "active")
    with unit_of_work():
        changed = db.session.execute(
            update(Card).where(Card.id.in_(card_ids), Card.status == old).values(status=new)
            .execution_options(synchronize_session=False)
        ).rowcount
        for card_id in card_ids:
            audit("payment_code.card_frozen" if frozen else "payment_code.card_unfrozen", "card", card_id,
                  user=user)
    return changed


# ---------------------------------------------------------------- binding


def bind_card(card: Card, member: Member, user=None) -> Card:
    """Bind an unbound card to ``member`` (one guarded UPDATE: a card binds once); commits."""
    with unit_of_work():
        bind_unbound(card, member)
    db.session.refresh(card)
    return card


def bind_unbound(card: Card, member: Member) -> None:
    if member.status == "frozen":
        raise DomainError("MEMBER_FROZEN", _l("This member is frozen."), status=409)
    bound = db.session.execute(
        update(Card).where(Card.id == card.id, Card.member_id.is_(None))
        .values(member_id=member.id, bound_on=datetime.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if bound != 1:
        raise DomainError("CARD_ALREADY_BOUND", _l("This card is bound to a member already."))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=BIND_SALT)


def token_minutes() -> int:
    return int(get_setting("payment_code.bind_token_minutes"))


def create_bind_token(card: Card, minutes: int | None = None) -> tuple[str, CardBindToken]:
    """A signed, expiring, one-time binding code for an unbound card (``minutes``: its lifetime,
    at most the setting's); commits."""
    if card.member_id is not None:
        raise DomainError("CARD_ALREADY_BOUND", _l("This card is bound to a member already."))
    lifetime = min(minutes or 1440, token_minutes())
    with unit_of_work():
        row = CardBindToken(jti=uuid.uuid4().hex, card_id=card.id,
                            expires_on=datetime.now() + timedelta(minutes=lifetime))
        db.session.add(row)
    return _serializer().dumps({"j": row.jti, "c": card.id}), row


def bind_with_token(token: str, member: Member) -> Card:
    """The member scanned a card's binding QR: bind it; forged, expired, used tokens refused."""
    invalid = DomainError("CARD_BIND_TOKEN_INVALID", _l("This card binding code is not valid."))
    expired = DomainError("CARD_BIND_TOKEN_EXPIRED", _l("This card binding code has expired."))
    try:
        data = _serializer().loads(token or "", max_age=token_minutes() * 60)
    except SignatureExpired as exc:
        raise expired from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise invalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("j"), str):
        raise invalid
    with unit_of_work():
        now = datetime.now()
        used = db.session.execute(
            update(CardBindToken)
            .where(CardBindToken.jti == data["j"], CardBindToken.used_on.is_(None),
                   CardBindToken.expires_on >= now)
            .values(used_on=now, used_by_member_id=member.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        row = db.session.scalar(select(CardBindToken).where(CardBindToken.jti == data["j"]))
        if used != 1:
            if row is None:
                raise invalid
            if row.used_on is not None:
                raise DomainError("CARD_BIND_TOKEN_USED", _l("This card binding code was used already."))
            raise expired
        card = db.session.get(Card, row.card_id)
        bind_unbound(card, member)
    db.session.refresh(card)
    return card


# ---------------------------------------------------------------- batches


def _field_error(code: str, message, field: str) -> DomainError:
    return DomainError(code, message, field=field)


def validate_batch(batch: CardBatch) -> None:
    """The batch form's rules (the admin maps each code to its field)."""
    if not (batch.name or "").strip():
        raise _field_error("CARD_BATCH_NAME_REQUIRED", _l("Enter the batch name."), "name")
    limit = int(get_setting("payment_code.batch_max_cards"))
    if not isinstance(batch.count, int) or not 1 <= batch.count <= limit:
        shown = format(limit, ",")
        raise _field_error("CARD_BATCH_TOO_LARGE", _l("A batch has 1 to %(limit)s cards.", limit=shown),
                           "count")
    if (not PREFIX_RE.match(batch.card_prefix or "") or not isinstance(batch.number_length, int)
            or not 4 <= batch.number_length <= 18 or batch.start_value is None or batch.start_value < 0):
        raise _field_error("CARD_NUMBER_RULE_INVALID",
                           _l("Card numbers: a prefix of up to 10 letters or digits, a length of 4 to 18 "
                              "digits and a start of 0 or more."), "number_length")
    if batch.start_value + batch.count > 10**batch.number_length:
        raise _field_error("CARD_NUMBER_RANGE_TOO_LONG",
                           _l("The last card number does not fit in %(n)s digits.", n=batch.number_length),
                           "start_value")
    if (batch.face_value_fen is None or not 0 <= batch.face_value_fen <= FACE_VALUE_MAX_FEN):
        raise _field_error("CARD_FACE_VALUE_INVALID", _l("The initial balance is 0 to 100,000 yuan."),
                           "face_value_fen")
    if batch.code_kind not in CODE_KINDS:
        raise _field_error("CARD_CODE_KIND_INVALID", _l("Choose how the pay code is printed."), "code_kind")
    if batch.code_kind != "none" and not batch.leak_acknowledged:
        raise _field_error("CARD_LEAK_NOT_ACKNOWLEDGED",
                           _l("Acknowledge the warning: anyone who sees a printed pay code can spend the "
                              "card's balance."), "leak_acknowledged")
    end = batch.start_value + batch.count
    overlap = db.session.scalar(
        select(CardBatch.batch_no).where(
            CardBatch.id != (batch.id or 0),
            CardBatch.card_prefix == (batch.card_prefix or ""),
            CardBatch.number_length == batch.number_length,
            CardBatch.start_value < end,
            CardBatch.start_value + CardBatch.count > batch.start_value,
        ).limit(1)
    )
    if overlap is not None:
        raise _field_error("CARD_NUMBER_RANGE_OVERLAP",
                           _l("These card numbers overlap batch %(no)s.", no=overlap), "start_value")


def card_no(batch: CardBatch, n: int) -> str:
    return f"{batch.card_prefix or ''}{n:0{batch.number_length}d}"


def request_batch(batch: CardBatch, user=None) -> CardBatch:
    """Validate, save and queue a new batch for generation; commits."""
    batch.card_prefix = (batch.card_prefix or "").strip().upper()
    batch.name = (batch.name or "").strip()
    validate_batch(batch)
    with unit_of_work():
        batch.batch_no = next_store_doc_no(CARD_BATCH, None)
        batch.status = "queued"
        batch.generated = 0
        batch.created_by_fk = getattr(user, "id", None)
        db.session.add(batch)
    return queue_generation(batch, user)


def queue_generation(batch: CardBatch, user=None) -> CardBatch:
    """Queue the job that makes a saved batch's cards and remember it on the batch; commits."""
    from app.platform.jobs import enqueue_job

    batch_id = batch.id
    job = enqueue_job("payment_code.generate", user=user, batch_id=batch_id)
    with unit_of_work():
        batch = db.session.get(CardBatch, batch_id)
        if batch.job_id is None:
            batch.job_id = job.id
    return batch


def card_rows(batch: CardBatch, first: int, count: int) -> list[dict]:
    now = datetime.now()
    rows = []
    with_code = batch.code_kind != "none"
    for n in range(first, first + count):
        row = {"batch_id": batch.id, "card_no": card_no(batch, n), "balance_fen": batch.face_value_fen,
               "status": "active", "valid_until": batch.valid_until, "created_on": now,
               "code_hash": None, "code_enc": None}
        if with_code:
            code = totp.new_card_code()
            row["code_hash"], row["code_enc"] = crypto.lookup_hash(code), crypto.encrypt(code)
        rows.append(row)
    return rows


def _opening_txns(batch: CardBatch, first_no: str, last_no: str) -> None:
    """One ``issue`` row per card of the chunk (set-based INSERT … SELECT)."""
    cards = Card.__table__
    now = datetime.now()
    chosen = select(
        cards.c.id, literal("issue"), cards.c.balance_fen, cards.c.balance_fen, literal(batch.batch_no),
        literal(batch.batch_no), literal(now),
    ).where(and_(cards.c.batch_id == batch.id, cards.c.card_no >= first_no, cards.c.card_no <= last_no))
    txns = CardTxn.__table__
    db.session.execute(insert(txns).from_select(
        [txns.c.card_id, txns.c.kind, txns.c.amount_fen, txns.c.balance_after_fen, txns.c.txn_no,
         txns.c.doc_no, txns.c.created_on], chosen))


def generate_batch(batch_id: int, progress=None) -> int:
    """Insert the batch's cards in chunks, each chunk (cards + opening rows) committed; safe to
    run twice: it continues after the cards already made. Returns how many it made."""
    with unit_of_work():
        batch = db.session.get(CardBatch, batch_id)
        done = db.session.scalar(select(func.count(Card.id)).where(Card.batch_id == batch.id)) or 0
        batch.status = "running"
    made = 0
    while done < batch.count:
        size = min(CHUNK, batch.count - done)
        first = batch.start_value + done
        with unit_of_work():
            db.session.execute(insert(Card), card_rows(batch, first, size))
            if batch.face_value_fen:
                _opening_txns(batch, card_no(batch, first), card_no(batch, first + size - 1))
            db.session.execute(update(CardBatch).where(CardBatch.id == batch_id)
                               .values(generated=done + size))
        done += size
        made += size
        if progress is not None:
            progress(done, batch.count)
    with unit_of_work():
        db.session.execute(update(CardBatch).where(CardBatch.id == batch_id).values(status="done"))
    return made


def printed_code(card: Card) -> str | None:
    """The card's static pay code in clear (export, printing); None without one."""
    return crypto.decrypt(card.code_enc) if card.code_enc else None
