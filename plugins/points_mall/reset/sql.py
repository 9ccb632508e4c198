"""The set-based statements of a points reset (积分清零): one batch of members at a time.

A batch is the members with ``lo < member_id <= hi``.  Its writes are exactly what
``app.loyalty.services.change_points`` writes for each member, done for the whole batch
at once: the account balance lowered by the points reset, and one ``loyalty_points_txn``
row of kind ``reset`` (signed points, balance after, its own document number, the
member-visible reason as the note).  No Python loop over members.

The rows' numbers are a block reserved with ``app.docnumbers.services.reserve_doc_nos``
(one guarded bump of the day's counter by the batch's size) and written in SQL with
``doc_no_sql``: row ``i`` of the batch (by member id) gets number ``first + i``.

PostgreSQL: one statement locks the batch's accounts and counts the members to reset
(returning their account ids as one array); after the block is reserved, ONE statement
(data-modifying CTEs) lowers the balances, inserts the numbered ledger rows, records the
batch and moves the reset's counters.  The accounts stay locked in between, so the count
is an upper bound of what the second statement writes (a block never overflows).
SQLite (no data-modifying CTEs; the batch's transaction holds SQLite's single write lock
from its first statement on, so nothing changes in between): count, reserve, insert the
rows, lower the balances from them, record the batch.

The amount reset per member is its balance, or with "points earned before" a date the
balance less the points credited since that date (what was earned before it and is still
unspent: the oldest points are spent first), never below 0.
"""

from __future__ import annotations

from sqlalchemy import bindparam, text

from app.docnumbers.services import doc_no_sql


def scope_sql(scope: str, segment_sql: str = "") -> tuple[str, str]:
    """(JOIN, WHERE fragment) restricting the accounts ``a`` to the reset's scope;
    ``segment_sql``: the member ids of a segment, as a compiled SELECT."""
    if scope == "all":
        return "", ""
    join = " JOIN members_member m ON m.id = a.member_id"
    if scope == "level":
        return join, " AND m.level_id = :level_id"
    if scope == "stores":
        return join, " AND m.home_store_id IN :store_ids"
    if scope == "segment":
        return "", f" AND a.member_id IN ({segment_sql})"
    raise ValueError(f"unknown reset scope {scope!r}")


def _amount_sql(before: bool) -> str:
    if not before:
        return "a.balance"
    kept = (
        "(SELECT coalesce(sum(t.points), 0) FROM loyalty_points_txn t"
        " WHERE t.member_id = a.member_id AND t.points > 0 AND t.created_on >= :earned_before)"
    )
    return f"a.balance - {kept}"


def targets_sql(scope: str, before: bool, segment_sql: str = "") -> str:
    """account id, member id, balance and amount to reset of the batch's accounts."""
    join, where = scope_sql(scope, segment_sql)
    return (
        f"SELECT a.id, a.member_id, a.balance, {_amount_sql(before)} AS amount"
        f" FROM loyalty_points_account a{join}"
        f" WHERE a.member_id > :lo AND a.member_id <= :hi AND a.balance > 0{where}"
    )


def _bind(statement: str, scope: str):
    clause = text(statement)
    if scope == "stores":
        clause = clause.bindparams(bindparam("store_ids", expanding=True))
    return clause


def count_statement(scope: str, before: bool, segment_sql: str = ""):
    """How many members of the batch have points to reset, and how many points."""
    targets = targets_sql(scope, before, segment_sql)
    return _bind(f"SELECT count(*), coalesce(sum(amount), 0) FROM ({targets}) x WHERE amount > 0", scope)


def pg_lock_statement(scope: str, before: bool, segment_sql: str = ""):
    """PostgreSQL: lock the batch's accounts; the ids (an array) and count of those to reset."""
    return _bind(
        f"SELECT array_agg(x.id), count(*) FROM ({targets_sql(scope, before, segment_sql)}"
        " ORDER BY a.id FOR UPDATE OF a) x WHERE x.amount > 0",
        scope,
    )


def pg_batch_statement(before: bool):
    """PostgreSQL: the batch's writes in one statement, on the accounts locked before."""
    number = doc_no_sql(":first + row_number() OVER (ORDER BY c.member_id) - 1", "postgresql")
    return text(
        "WITH target AS ("
        f" SELECT a.id, a.member_id, {_amount_sql(before)} AS amount FROM loyalty_points_account a"
        " WHERE a.id = ANY(:ids)"
        "), changed AS ("
        " UPDATE loyalty_points_account acc SET balance = acc.balance - t.amount"
        " FROM target t WHERE acc.id = t.id AND t.amount > 0"
        " RETURNING acc.id, acc.member_id, t.amount, acc.balance"
        "), ledger AS ("
        " INSERT INTO loyalty_points_txn"
        " (account_id, member_id, kind, points, balance_after, doc_no, store_id, note, created_on)"
        f" SELECT c.id, c.member_id, 'reset', -c.amount, c.balance, {number}, NULL, :note, :now"
        " FROM changed c RETURNING points"
        "), batch AS ("
        " INSERT INTO points_mall_reset_batch"
        " (reset_id, lo, hi, doc_prefix, first_seq, members, points, created_on)"
        " SELECT :reset_id, :lo, :hi, :n_prefix, :first, count(*), coalesce(-sum(points), 0), :now"
        " FROM ledger"
        " RETURNING members, points"
        ")"
        " UPDATE points_mall_reset SET member_count = member_count + batch.members,"
        " points_total = points_total + batch.points FROM batch WHERE id = :reset_id"
    )


def sqlite_insert_statement(scope: str, before: bool, segment_sql: str = ""):
    """SQLite step 1: the ledger rows of the batch, numbered from ``:first``."""
    number = doc_no_sql(":first + row_number() OVER (ORDER BY member_id) - 1", "sqlite")
    return _bind(
        "INSERT INTO loyalty_points_txn"
        " (account_id, member_id, kind, points, balance_after, doc_no, store_id, note, created_on)"
        f" SELECT id, member_id, 'reset', -amount, balance - amount, {number}, NULL, :note, :now"
        f" FROM ({targets_sql(scope, before, segment_sql)}) WHERE amount > 0",
        scope,
    )


# SQLite step 2: lower the balances by the rows just inserted (ids above the batch's start)
SQLITE_UPDATE_BALANCES = text(
    "UPDATE loyalty_points_account SET balance = balance + t.points"
    " FROM (SELECT account_id, points FROM loyalty_points_txn WHERE id > :before_id) AS t"
    " WHERE loyalty_points_account.id = t.account_id"
)

# SQLite step 3: the batch's record and the reset's counters
SQLITE_RECORD_BATCH = text(
    "INSERT INTO points_mall_reset_batch"
    " (reset_id, lo, hi, doc_prefix, first_seq, members, points, created_on)"
    " SELECT :reset_id, :lo, :hi, :n_prefix, :first, count(*), coalesce(-sum(points), 0), :now"
    " FROM loyalty_points_txn WHERE id > :before_id"
)
SQLITE_MOVE_COUNTERS = text(
    "UPDATE points_mall_reset SET member_count = member_count + b.members,"
    " points_total = points_total + b.points"
    " FROM (SELECT members, points FROM points_mall_reset_batch WHERE reset_id = :reset_id AND lo = :lo) AS b"
    " WHERE points_mall_reset.id = :reset_id"
)

# PostgreSQL, a batch without members to reset: just its record
RECORD_EMPTY_BATCH = text(
    "INSERT INTO points_mall_reset_batch"
    " (reset_id, lo, hi, doc_prefix, first_seq, members, points, created_on)"
    " VALUES (:reset_id, :lo, :hi, '', 0, 0, 0, :now)"
)

# Both: claim the batch (lo, hi] -- only the worker that finds the checkpoint at ``lo`` does it,
# so two workers on one reset (a resumed job while the old one still runs) never both reset a
# batch; the claim commits with the batch's writes, which makes it the resume point.
CLAIM_BATCH = text(
    "UPDATE points_mall_reset SET checkpoint_member_id = :hi, heartbeat_on = :now"
    " WHERE id = :reset_id AND checkpoint_member_id = :lo AND status = 'processing'"
)
