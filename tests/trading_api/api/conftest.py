"""The application on the real stack, with keys for each role."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from trading_api.auth import Role, SecretBox, create_account, issue_api_key
from trading_api.main import create_app
from xi.settings import Settings


@pytest.fixture(scope="module")
def client(database: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(database)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def api_key(database: Settings) -> dict[Role, str]:
    """One API key per role (the header value a client sends)."""
    box = SecretBox(database.secret_key.get_secret_value())
    keys = {}
    with psycopg.connect(database.postgres_dsn, autocommit=True) as conn:
        for role in Role:
            account = create_account(conn, name=f"{role}-{uuid.uuid4().hex[:8]}", role=role)
            keys[role] = issue_api_key(conn, box, account_id=account).api_key
    return keys
