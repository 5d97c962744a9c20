"""Accounts, API keys and roles.

An API key is shown once, when issued, with its signing secret. The key is stored only as its
SHA-256 digest, so a leaked table does not leak keys; the secret must be recoverable to check
signatures, so it is stored encrypted with AES-GCM under a key derived from the configuration.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg import Connection

NONCE_BYTES = 12


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
    secret: str  # the key's signing secret, decrypted for this request only


@dataclass(frozen=True)
class IssuedKey:
    api_key: str
    secret: str


class SecretBox:
    """Encrypts and decrypts signing secrets with a key derived from the configuration."""

    def __init__(self, configured_key: str) -> None:
        self._aead = AESGCM(hashlib.sha256(f"api-secret:{configured_key}".encode()).digest())

    def seal(self, secret: str, key_digest: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        # The key digest is bound in as associated data: a ciphertext moved to another key fails.
        return nonce + self._aead.encrypt(nonce, secret.encode(), key_digest)

    def open(self, sealed: bytes, key_digest: bytes) -> str:
        nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        return self._aead.decrypt(nonce, ciphertext, key_digest).decode()


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def create_account(conn: Connection, *, name: str, role: Role) -> int:
    row = conn.execute(
        "INSERT INTO accounts (name, role) VALUES (%s, %s) RETURNING id", (name, role.value)
    ).fetchone()
    assert row is not None
    return int(row[0])


def issue_api_key(conn: Connection, box: SecretBox, *, account_id: int) -> IssuedKey:
    issued = IssuedKey(api_key=secrets.token_hex(32), secret=secrets.token_hex(32))
    digest = _digest(issued.api_key)
    conn.execute(
        "INSERT INTO api_keys (key_digest, account_id, secret_ciphertext) VALUES (%s, %s, %s)",
        (digest, account_id, box.seal(issued.secret, digest)),
    )
    return issued


def authenticate(conn: Connection, box: SecretBox, api_key: str) -> Principal | None:
    digest = _digest(api_key)
    row = conn.execute(
        "SELECT a.id, a.name, a.role, k.secret_ciphertext FROM api_keys k "
        "JOIN accounts a ON a.id = k.account_id "
        "WHERE k.key_digest = %s AND k.revoked_at IS NULL",
        (digest,),
    ).fetchone()
    if row is None:
        return None
    return Principal(int(row[0]), row[1], Role(row[2]), box.open(bytes(row[3]), digest))
