"""Pay codes: the member's current code, and charging a scanned code (member or card).

The rule (documented in docs/plugins/payment_code.md):
- a member's dynamic code (``8…``) charges the member's **stored value** (core ledger,
  ``change_stored_value``); it is accepted in its step and the next one, and once only: the
  step used is recorded with one guarded ``UPDATE … SET last_counter = :step WHERE
  last_counter < :step`` written with the charge (``change_stored_value``'s ``only_if``: on
  PostgreSQL the step, the balance, the ledger row and its number are one statement), so of
  concurrent charges with one code exactly one wins, and a failed charge (balance too low)
  uses nothing up;
- a card's static printed code (``7…``) charges **that card's balance** (its own ledger,
  ``plugins.payment_code.cards.change_card_balance``), whoever holds the card; a frozen or
  expired card is refused at once.
Share groups (member_privacy) apply through ``retail_member_usable`` to the member of the
code, or the member a card is bound to.  Wrong and malformed codes count against the till's
limit (``plugins.payment_code.guard``) and are logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.plugins import plugin_host
from app.unit_of_work import unit_of_work
from plugins.payment_code import crypto, guard, totp
from plugins.payment_code.models import Card, PayCodeSecret


def malformed() -> DomainError:
    return DomainError("PAY_CODE_MALFORMED", _l("A pay code is 18 digits."))


def wrong() -> DomainError:
    return DomainError("PAY_CODE_INVALID", _l("This pay code is not valid."))


# ---------------------------------------------------------------- the member's code (mall)


def member_secret(member: Member) -> PayCodeSecret:
    """The member's pay-code secret, made on first use (random reference, random secret);
    a secret the current ``SECRET_KEY`` cannot read is replaced.  Commits when it writes."""
    row = db.session.scalar(select(PayCodeSecret).where(PayCodeSecret.member_id == member.id))
    if row is not None:
        try:
            crypto.decrypt(row.secret_enc)
            return row
        except crypto.InvalidToken:
            with unit_of_work():
                row.secret_enc = crypto.encrypt(totp.new_secret())
                row.last_counter = 0
            return row
    with unit_of_work():
        for _ in range(5):
            try:
                with db.session.begin_nested():
                    db.session.execute(insert(PayCodeSecret).values(
                        member_id=member.id, ref=totp.new_ref(), secret_enc=crypto.encrypt(totp.new_secret()),
                        last_counter=0, created_on=datetime.now(),
                    ))
                break
            except IntegrityError:  # a reference taken already, or a concurrent first call
                if db.session.scalar(select(PayCodeSecret.id).where(PayCodeSecret.member_id == member.id)):
                    break
    return db.session.scalars(select(PayCodeSecret).where(PayCodeSecret.member_id == member.id)).one()


def current_code(member: Member) -> dict:
    """The code to show now, and when it stops being current (UTC, ISO 8601)."""
    row = member_secret(member)
    counter = totp.counter_at(totp.now())
    expires = datetime.fromtimestamp(totp.expires_at(counter), UTC)
    return {
        "code": totp.member_code(crypto.decrypt(row.secret_enc), row.ref, counter),
        "expires_at": expires.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "refresh_in": max(1, int(totp.expires_at(counter) - totp.now())),
        "step_seconds": totp.STEP,
    }


# ---------------------------------------------------------------- resolving a scanned code


@dataclass
class Target:
    """What a scanned code pays with: a member's stored value (``step`` to use up) or a card."""

    kind: str  # "member" or "card"
    member: Member | None
    card: Card | None = None
    secret_id: int | None = None
    step: int | None = None


def _usable(member: Member | None, store_id: int) -> None:
    if member is None:
        return
    if member.status == "frozen":
        raise DomainError("MEMBER_FROZEN", _l("This member is frozen."), status=409)
    refusal = plugin_host().member_usable(member=member, store_id=store_id, purpose="stored_value")
    if refusal is not None:
        raise refusal


def resolve(code, store_id: int, terminal: str) -> Target:
    """The member or card of a scanned code, checked (not yet used up); refusals are
    ``DomainError``s, wrong codes counted against ``terminal``."""
    guard.check_terminal(terminal, code, store_id)
    try:
        return _resolve(code, store_id)
    except DomainError as error:
        guard.refused(terminal, code, error, store_id)
        raise


def _resolve(code, store_id: int) -> Target:
    parsed = totp.parse(code)
    if parsed is None:
        raise malformed()
    if parsed.kind == "card":
        card = db.session.scalar(select(Card).where(Card.code_hash == crypto.lookup_hash(parsed.value)))
        if card is None:
            raise wrong()
        check_card_usable(card)
        _usable(card.member, store_id)
        return Target("card", card.member, card=card)
    row = db.session.execute(  # the secret's columns and its member: one statement, one entity
        select(PayCodeSecret.id, PayCodeSecret.secret_enc, PayCodeSecret.last_counter, Member)
        .join(Member, Member.id == PayCodeSecret.member_id)
        .where(PayCodeSecret.ref == parsed.ref)).first()
    if row is None:
        raise wrong()
    try:
        secret = crypto.decrypt(row.secret_enc)
    except crypto.InvalidToken as exc:
        raise wrong() from exc
    verdict, step = totp.match(secret, parsed.value, totp.now())
    if verdict == "expired":
        raise DomainError("PAY_CODE_EXPIRED", _l("This pay code has expired: ask for the current one."))
    if verdict != "ok":
        raise wrong()
    if step <= row.last_counter:
        raise used()
    _usable(row.Member, store_id)
    return Target("member", row.Member, secret_id=row.id, step=step)


def used() -> DomainError:
    return DomainError("PAY_CODE_USED", _l("This pay code was used already: ask for a new one."))


def check_card_usable(card: Card) -> None:
    if card.status == "frozen":
        raise DomainError("CARD_FROZEN", _l("This card is frozen."))
    if card.valid_until is not None and card.valid_until < date.today():
        raise DomainError("CARD_EXPIRED", _l("This card has expired."))


_SECRETS = PayCodeSecret.__table__
# the guarded UPDATE using a member code's step up: it changes the row only while the step is
# unused, so of concurrent charges with one code exactly one wins (one statement object, reused
# by every charge with its parameters: see ``change_stored_value``'s ``only_if``)
_STEP = bindparam("pc_step")
STEP_USED_UP = (update(_SECRETS)
                .where(_SECRETS.c.id == bindparam("pc_secret_id"), _SECRETS.c.last_counter < _STEP)
                .values(last_counter=_STEP))


# ---------------------------------------------------------------- charging


@dataclass
class Charge:
    source: str  # "stored_value" or "card"
    member_id: int | None
    txn_no: str
    balance_fen: int
    card_no: str | None = None


def charge_target(target: Target, amount_fen: int, store_id: int, staff_id: int | None, doc_no: str | None,
                  txn_no: str | None = None) -> Charge:
    """Take ``amount_fen`` from what ``target`` pays with (no commit)."""
    from app.loyalty.services import change_stored_value
    from plugins.payment_code.cards import change_card_balance

    if target.kind == "card":
        txn = change_card_balance(target.card, -amount_fen, "consume", store_id, doc_no=doc_no or "",
                                  staff_id=staff_id, txn_no=txn_no)
        return Charge("card", target.card.member_id, txn.txn_no, txn.balance_after_fen, target.card.card_no)
    # the step used up, the balance taken and the ledger row numbered: one statement on PostgreSQL
    txn = change_stored_value(target.member.id, -amount_fen, "consume", doc_no, store_id, staff_id=staff_id,
                              note="pay code", txn_no=txn_no, only_if=_step_guard(target))
    return Charge("stored_value", target.member.id, txn.txn_no, txn.balance_after_fen)


def _step_guard(target: Target) -> tuple:
    """``change_stored_value``'s ``only_if``: the charge happens only if it uses the step up."""
    return STEP_USED_UP, used(), {"pc_secret_id": target.secret_id, "pc_step": target.step}


def charge_code(code, amount_fen: int, store_id: int, staff_id: int | None, terminal: str) -> Charge:
    """``POST pos/pay-code/charge``: identify and charge in one transaction (commits)."""
    with unit_of_work():
        target = resolve(code, store_id, terminal)
        try:
            return charge_target(target, amount_fen, store_id, staff_id, None)
        except DomainError as error:
            guard.refused(terminal, code, error, store_id)
            raise


def member_cards(member_id: int) -> list[Card]:
    return list(db.session.scalars(select(Card).where(Card.member_id == member_id).order_by(Card.card_no)))


def bind_caption():
    return _l("Scan in the mall to add this card to your account")
