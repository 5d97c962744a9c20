"""PostgreSQL access: a connection pool and the schema migrations, applied in file order."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psycopg import Connection
from psycopg_pool import ConnectionPool

from xi.settings import Settings

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed number serialises concurrent migrators across processes.
MIGRATION_LOCK = 7_400_001


def migrate(conn: Connection) -> list[str]:
    """Apply the migrations not yet applied, each in its own transaction; return their names."""
    applied_now = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
        for script in sorted(MIGRATIONS.glob("*.sql")):
            if script.name in done:
                continue
            conn.execute(script.read_text())
            conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (script.name,))
            applied_now.append(script.name)
    return applied_now


def open_pool(dsn: str, max_size: int = 10) -> ConnectionPool:
    pool = ConnectionPool(dsn, min_size=1, max_size=max_size, open=True)
    with pool.connection() as conn:
        migrate(conn)
    return pool


@contextmanager
def temporary_database(settings: Settings, prefix: str) -> Iterator[Settings]:
    """Settings that point at a new, migrated database named ``prefix_…``, dropped at the end."""
    created = settings.model_copy(update={"postgres_db": f"{prefix}_{uuid.uuid4().hex[:8]}"})
    with Connection.connect(settings.postgres_admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{created.postgres_db}"')
    try:
        with Connection.connect(created.postgres_dsn) as conn:
            migrate(conn)
        yield created
    finally:
        with Connection.connect(settings.postgres_admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{created.postgres_db}" WITH (FORCE)')
