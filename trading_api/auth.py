"""Accounts, API keys and roles.

A key is shown once, when issued; only its SHA-256 digest is stored, so a leaked table does
not leak keys. Binance's error codes are used where one fits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from psycopg import Connection


class Role(StrEnum):
    TRADER = "trader"
    COMPLIANCE = "compliance"
    ANALYST = "analyst"
    LEARNER = "learner"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    account_id: int
    name: str
    role: Role


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def create_account(conn: Connection, *, name: str, role: Role) -> int:
    row = conn.execute(
        "INSERT INTO accounts (name, role) VALUES (%s, %s) RETURNING id", (name, role.value)
    ).fetchone()
    assert row is not None
    return int(row[0])


def issue_api_key(conn: Connection, *, account_id: int) -> str:
    key = secrets.token_hex(32)
    conn.execute(
        "INSERT INTO api_keys (key_digest, account_id) VALUES (%s, %s)", (_digest(key), account_id)
    )
    return key


def authenticate(conn: Connection, key: str) -> Principal | None:
    row = conn.execute(
        "SELECT a.id, a.name, a.role FROM api_keys k JOIN accounts a ON a.id = k.account_id "
        "WHERE k.key_digest = %s AND k.revoked_at IS NULL",
        (_digest(key),),
    ).fetchone()
    return Principal(int(row[0]), row[1], Role(row[2])) if row else None
