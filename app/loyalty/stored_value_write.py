"""Writing one stored-value change: the guarded balance update, its ledger row and the row's number.

On PostgreSQL it is one statement (data-modifying CTEs)::

    WITH sv_cond AS (<the caller's guarded UPDATE, if any> RETURNING 1),
         sv_acc  AS (UPDATE loyalty_sv_account SET balance_fen = balance_fen + :amount
                     WHERE <the account> AND balance_fen + :amount >= 0
                       AND EXISTS (SELECT 1 FROM sv_cond) RETURNING id, balance_fen),
         sv_seq  AS (INSERT INTO core_doc_sequence … ON CONFLICT … DO UPDATE SET last = last + 1
                     RETURNING last),                          -- the row's own number, if drawn here
         sv_ins  AS (INSERT INTO loyalty_sv_txn (…) SELECT … FROM sv_acc, sv_seq RETURNING …)
    SELECT (SELECT count(*) FROM sv_cond) AS allowed, <sv_ins's row, or NULLs>

so a pay-code charge (use the code up, take the money, write the ledger row and its number)
costs one round trip.  The guarantees are those of the statement-by-statement path used
elsewhere (SQLite): the balance moves only by a guarded ``UPDATE`` (row lock; concurrent
changes queue and re-check ``balance + amount >= 0`` on the latest balance, so it never goes
negative), and the ledger row carries the balance after the change, written in the same
statement or not at all (the ledger sum stays equal to the balance).  The caller's guard
(``only_if``) runs first and the balance moves only if it changed a row: of concurrent
charges with one one-time code exactly one wins.  A refused change may leave a document
number unused (the counter is bumped before the refusal is known); the caller's transaction
rolls back on the refusal anyway.

Only decreases take the one-statement path when the account may not exist (no account is
a zero balance: refused); an increase first makes sure the account exists.
"""

from __future__ import annotations

import functools
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.dml import Update

from app.docnumbers.services import SEQUENCE_DIGITS, SEQUENCES, doc_no_params, next_doc_no, store_code_of
from app.errors import DomainError
from app.extensions import attach_inserted, core_execute, db
from app.loyalty.accounts import account_id_of
from app.loyalty.models import StoredValueAccount, StoredValueTxn

ACCOUNTS, TXNS = StoredValueAccount.__table__, StoredValueTxn.__table__
LEDGER_COLUMNS = ("account_id", "member_id", "kind", "amount_fen", "balance_after_fen", "txn_no", "doc_no",
                  "store_id", "staff_id", "note", "created_on")
NUMBER_TYPE = "SV"


def insufficient() -> DomainError:
    return DomainError("INSUFFICIENT_BALANCE", _l("The stored-value balance is not enough."))


def store_code(store_id: int | None) -> str:
    """The code numbering the store's documents, from the worker's cache (no query) when there."""
    from app.org.services import cached_store

    store = cached_store(store_id) if store_id is not None else None
    return store.code if store else store_code_of(store_id)


def write_change(member_id: int, amount_fen: int, kind: str, doc_no: str | None, store_id: int | None,
                 staff_id: int | None, note: str, txn_no: str | None,
                 only_if: tuple[Update, DomainError, dict] | None) -> StoredValueTxn:
    """Move the balance and write the ledger row (see the module); the row comes back as a
    persistent ORM object.  ``doc_no`` None: the row's own number.  ``only_if``: ``(guarded
    UPDATE, refusal, the UPDATE's parameters)``: the change happens only if the UPDATE changes a
    row, else ``refusal`` is raised; the whole statement is built once per UPDATE object, so a
    caller passes one module-level UPDATE with bind parameters.  Refused: ``INSUFFICIENT_BALANCE``."""
    row = {"member_id": member_id, "kind": kind, "amount_fen": amount_fen, "txn_no": txn_no,
           "doc_no": doc_no, "store_id": store_id, "staff_id": staff_id, "note": (note or "")[:200],
           "created_on": datetime.now()}
    if db.engine.dialect.name == "postgresql":
        return _in_one_statement(row, only_if)
    return _statement_by_statement(row, only_if)


def _statement_by_statement(row: dict, only_if) -> StoredValueTxn:
    if only_if is not None:
        cond_update, refusal, cond_params = only_if
        if core_execute(cond_update, cond_params).rowcount != 1:
            raise refusal
    account_id = account_id_of(StoredValueAccount, row["member_id"])
    amount = row["amount_fen"]
    balance = core_execute(
        update(ACCOUNTS).where(ACCOUNTS.c.id == account_id, ACCOUNTS.c.balance_fen + amount >= 0)
        .values(balance_fen=ACCOUNTS.c.balance_fen + amount).returning(ACCOUNTS.c.balance_fen)
    ).scalar()
    if balance is None:
        raise insufficient()
    txn_no = row["txn_no"] or next_doc_no(NUMBER_TYPE, store_code(row["store_id"]))
    written = {**row, "account_id": account_id, "balance_after_fen": balance, "txn_no": txn_no,
               "doc_no": row["doc_no"] or txn_no}
    txn_id = core_execute(insert(TXNS).values(written).returning(TXNS.c.id)).scalar_one()
    return attach_inserted(StoredValueTxn, written, txn_id)


def _number_cte():
    """The upsert drawing the row's number (the day's counter row made if missing), returning
    it formatted (``format_doc_no`` in SQL) as ``doc_no``; parameters of ``doc_no_params``."""
    n_type, n_store, n_day = (bindparam(name, type_=String) for name in ("n_type", "n_store", "n_day"))
    digits = cast(SEQUENCES.c.last, Text)
    number = (cast(n_type, Text) + cast(n_day, Text) + cast(n_store, Text)
              + func.lpad(digits, func.greatest(SEQUENCE_DIGITS, func.length(digits)), "0"))
    return (
        pg_insert(SEQUENCES)
        .values(doc_type=n_type, store_code=n_store, day=n_day, last=1)
        .on_conflict_do_update(index_elements=[SEQUENCES.c.doc_type, SEQUENCES.c.store_code, SEQUENCES.c.day],
                               set_={"last": SEQUENCES.c.last + 1})
        .returning(number.label("doc_no"))
        .cte("sv_seq")
    )


@functools.lru_cache(maxsize=64)
def _one_statement(cond_update: Update | None, numbered: bool, by_account: bool):
    """The statement of one change (see the module), its values as bind parameters ``sv_*``
    (and ``n_*`` for the number): built once per shape and caller's UPDATE, not per change."""
    amount = bindparam("sv_amount", type_=BigInteger)
    member_id = bindparam("sv_member_id", type_=Integer)
    if by_account:  # an increase may have opened the account
        account = ACCOUNTS.c.id == bindparam("sv_account_id", type_=Integer)
    else:  # no account: a zero balance, refused below
        account = ACCOUNTS.c.member_id == member_id
    guards = [account, ACCOUNTS.c.balance_fen + amount >= 0]
    cond = None
    if cond_update is not None:  # first: the caller's row, then the number, then the account (lock order)
        cond = cond_update.returning(literal(1, Integer).label("ok")).cte("sv_cond")
        guards.append(exists(select(cond.c.ok)))
    sequence = None
    if numbered:  # the number before the account, as a recharge takes them
        sequence = _number_cte()
        guards.append(exists(select(sequence.c.doc_no)))
        txn_no = sequence.c.doc_no
    else:
        txn_no = bindparam("sv_txn_no", type_=String)
    acc = (update(ACCOUNTS).where(*guards).values(balance_fen=ACCOUNTS.c.balance_fen + amount)
           .returning(ACCOUNTS.c.id, ACCOUNTS.c.balance_fen).cte("sv_acc"))
    source = acc.join(sequence, true()) if sequence is not None else acc
    values = select(
        acc.c.id, member_id, bindparam("sv_kind", type_=String), amount, acc.c.balance_fen, txn_no,
        func.coalesce(bindparam("sv_doc_no", type_=String), txn_no), bindparam("sv_store_id", type_=Integer),
        bindparam("sv_staff_id", type_=Integer), bindparam("sv_note", type_=String),
        bindparam("sv_created_on", type_=DateTime),
    ).select_from(source)
    ins = (insert(TXNS).from_select(list(LEDGER_COLUMNS), values)
           .returning(TXNS.c.id, TXNS.c.account_id, TXNS.c.balance_after_fen, TXNS.c.txn_no, TXNS.c.doc_no)
           .cte("sv_ins"))
    allowed = select(func.count()).select_from(cond).scalar_subquery() if cond is not None else literal(1)
    return select(allowed.label("allowed"), *(select(c).scalar_subquery().label(c.name) for c in ins.c))


def _in_one_statement(row: dict, only_if) -> StoredValueTxn:
    amount = row["amount_fen"]
    cond_update, refusal, cond_params = only_if if only_if is not None else (None, None, {})
    numbered = not row["txn_no"]
    by_account = amount > 0
    params = {"sv_amount": amount, "sv_member_id": row["member_id"], "sv_kind": row["kind"],
              "sv_txn_no": row["txn_no"], "sv_doc_no": row["doc_no"], "sv_store_id": row["store_id"],
              "sv_staff_id": row["staff_id"], "sv_note": row["note"], "sv_created_on": row["created_on"],
              **cond_params}
    if by_account:
        params["sv_account_id"] = account_id_of(StoredValueAccount, row["member_id"])
    if numbered:
        params.update(doc_no_params(NUMBER_TYPE, store_code(row["store_id"])))
    written = core_execute(_one_statement(cond_update, numbered, by_account), params).one()
    if written.id is None:
        if cond_update is not None and not written.allowed:
            raise refusal
        raise insufficient()
    done = {**row, "account_id": written.account_id, "balance_after_fen": written.balance_after_fen,
            "txn_no": written.txn_no, "doc_no": written.doc_no}
    return attach_inserted(StoredValueTxn, done, written.id)
