"""Posting balanced journal entries, once per reference.

The database enforces the rules: an entry's reference is unique (so a replay posts nothing),
and a balance that would go negative violates a constraint (so the whole entry is refused).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from psycopg import Connection, errors


class Bucket(StrEnum):
    FREE = "free"
    LOCKED = "locked"


@dataclass(frozen=True)
class Posting:
    account_id: int
    asset: str
    bucket: Bucket
    amount: Decimal


class LedgerError(ValueError):
    """An entry cannot be posted; nothing was changed."""


class InsufficientBalance(LedgerError):
    pass


# (host, port, database, name) -> id of a system account
_system_accounts: dict[tuple[str, int, str, str], int] = {}


def system_account(conn: Connection, name: str) -> int:
    """The id of a system account; ids never change, so each database's are read once."""
    key = (conn.info.host, conn.info.port, conn.info.dbname, name)
    if key not in _system_accounts:
        row = conn.execute(
            "SELECT id FROM accounts WHERE name = %s", (f"system:{name}",)
        ).fetchone()
        assert row is not None, f"the migrations create system:{name}"
        _system_accounts[key] = int(row[0])
    return _system_accounts[key]


def post(conn: Connection, *, kind: str, reference: str, postings: list[Posting]) -> bool:
    """Post one balanced entry atomically; False if ``reference`` was already posted."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for posting in postings:
        if not posting.amount.is_finite():
            raise LedgerError(f"amount {posting.amount} is not a finite number")
        totals[posting.asset] += posting.amount
    unbalanced = {asset: total for asset, total in totals.items() if total != 0}
    if unbalanced:
        raise LedgerError(f"entry {reference} does not balance: {unbalanced}")
    # The world outside and the clearing account (which each side of a trade settles against,
    # and which nets to zero once both sides are in) are the only balances that may go negative.
    may_go_negative = {system_account(conn, "external"), system_account(conn, "clearing")}
    try:
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO journal (kind, reference) VALUES (%s, %s) "
                "ON CONFLICT (reference) DO NOTHING RETURNING id",
                (kind, reference),
            ).fetchone()
            if row is None:
                return False
            # One round trip for all the entry's writes: none of them needs another's result.
            with conn.pipeline():
                for p in postings:
                    if p.amount != 0:
                        _write_posting(conn, row[0], p, p.account_id in may_go_negative)
    except errors.CheckViolation as error:
        raise InsufficientBalance(f"entry {reference}: insufficient balance") from error
    return True


def _write_posting(conn: Connection, entry_id: int, p: Posting, may_go_negative: bool) -> None:
    conn.execute(
        "INSERT INTO postings (entry_id, account_id, asset, bucket, amount) "
        "VALUES (%s, %s, %s, %s, %s)",
        (entry_id, p.account_id, p.asset, p.bucket.value, p.amount),
    )
    # Create the row at zero first: a CHECK applies to an INSERT's proposed row even when
    # ON CONFLICT would turn it into an update.
    conn.execute(
        "INSERT INTO balances (account_id, asset, may_go_negative) "
        "VALUES (%s, %s, %s) ON CONFLICT (account_id, asset) DO NOTHING",
        (p.account_id, p.asset, may_go_negative),
    )
    column = p.bucket.value  # an enum value, never user input
    conn.execute(
        f"UPDATE balances SET {column} = {column} + %s WHERE account_id = %s AND asset = %s",
        (p.amount, p.account_id, p.asset),
    )


@dataclass(frozen=True)
class Balance:
    asset: str
    free: Decimal
    locked: Decimal


def balances(conn: Connection, account_id: int) -> dict[str, Balance]:
    rows = conn.execute(
        "SELECT asset, free, locked FROM balances WHERE account_id = %s ORDER BY asset",
        (account_id,),
    ).fetchall()
    return {asset: Balance(asset, free, locked) for asset, free, locked in rows}


def asset_totals(conn: Connection) -> dict[str, Decimal]:
    """Every asset's sum over all balances, the external account included: always zero."""
    rows = conn.execute(
        "SELECT asset, sum(free + locked) FROM balances GROUP BY asset ORDER BY asset"
    ).fetchall()
    return {asset: total for asset, total in rows}
