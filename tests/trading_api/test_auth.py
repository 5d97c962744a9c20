"""API keys: stored as digests, secrets encrypted at rest and bound to their key."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from cryptography.exceptions import InvalidTag

from trading_api.auth import Role, SecretBox, authenticate, create_account, issue_api_key

BOX = SecretBox("test-configuration-key")


def test_issued_key_authenticates_with_its_role_and_secret(conn: psycopg.Connection) -> None:
    account = create_account(conn, name=f"learner-{uuid.uuid4().hex[:8]}", role=Role.LEARNER)
    issued = issue_api_key(conn, BOX, account_id=account)
    principal = authenticate(conn, BOX, issued.api_key)
    assert principal is not None
    assert (principal.account_id, principal.role, principal.secret) == (
        account,
        Role.LEARNER,
        issued.secret,
    )
    assert authenticate(conn, BOX, issued.api_key + "0") is None


def test_neither_key_nor_secret_is_stored_in_clear(conn: psycopg.Connection) -> None:
    account = create_account(conn, name=f"trader-{uuid.uuid4().hex[:8]}", role=Role.TRADER)
    issued = issue_api_key(conn, BOX, account_id=account)
    stored = conn.execute(
        "SELECT key_digest, secret_ciphertext FROM api_keys WHERE account_id = %s", (account,)
    ).fetchone()
    assert stored is not None
    raw = bytes(stored[0]) + bytes(stored[1])
    for clear in (issued.api_key, issued.secret):
        assert clear.encode() not in raw and bytes.fromhex(clear) not in raw


def test_another_configuration_key_cannot_open_the_secret(conn: psycopg.Connection) -> None:
    account = create_account(conn, name=f"trader-{uuid.uuid4().hex[:8]}", role=Role.TRADER)
    issued = issue_api_key(conn, BOX, account_id=account)
    with pytest.raises(InvalidTag):
        authenticate(conn, SecretBox("another-key"), issued.api_key)
