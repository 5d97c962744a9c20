"""Shared fixtures: the real local stack, started once per test session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def fresh_database(settings: Settings) -> Iterator[Settings]:
    """Settings that point at a new, migrated PostgreSQL database, dropped at the end."""
    name = f"xi_test_{uuid.uuid4().hex[:8]}"
    admin_dsn = settings.postgres_admin_dsn
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    fresh = settings.model_copy(update={"postgres_db": name})
    with psycopg.connect(fresh.postgres_dsn) as conn:
        db.migrate(conn)
    yield fresh
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database(running_stack: Settings) -> Iterator[Settings]:
    """A new, migrated PostgreSQL database for the test session."""
    with fresh_database(running_stack) as settings:
        yield settings


@pytest.fixture
def conn(database: Settings) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the test database: each statement or block stands alone."""
    with psycopg.connect(database.postgres_dsn, autocommit=True) as connection:
        yield connection
