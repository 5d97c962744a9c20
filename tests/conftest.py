"""Shared fixtures: the real local stack, started once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from trading_api import db
from xi.settings import Settings, get_settings
from xi.stack import stack


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def running_stack(settings: Settings) -> Iterator[Settings]:
    """Every server of the stack, up and healthy (started if needed; left running after)."""
    stack.up(settings, report=lambda _step: None)
    yield settings


@pytest.fixture(scope="session")
def database(running_stack: Settings) -> Iterator[Settings]:
    """A new, migrated PostgreSQL database for the test session."""
    with db.temporary_database(running_stack, "xi_test") as settings:
        yield settings


@pytest.fixture
def conn(database: Settings) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the test database: each statement or block stands alone."""
    with psycopg.connect(database.postgres_dsn, autocommit=True) as connection:
        yield connection
