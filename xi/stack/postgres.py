"""PostgreSQL 15 from Debian's package, run as the project's own cluster (own folder and port)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg

from xi.stack.artifacts import apt_install
from xi.stack.service import Service
from xi.stack.service_user import ensure_service_user

BIN = Path("/usr/lib/postgresql/15/bin")


class Postgres(Service):
    name = "postgres"
    version = "15 (Debian bookworm)"
    run_as_service_user = True

    @property
    def port(self) -> int:
        return self.settings.postgres_port

    @property
    def cluster_dir(self) -> Path:
        return self.data_dir / "cluster"

    def install(self) -> None:
        apt_install(BIN / "postgres", "postgresql-15")

    def prepare(self) -> None:
        if (self.cluster_dir / "PG_VERSION").exists():
            return
        account = ensure_service_user(self.settings, [self.data_dir])
        password_file = self.data_dir / "initdb.password"
        password_file.write_text(self.settings.postgres_password.get_secret_value())
        password_file.chmod(0o600)
        ensure_service_user(self.settings, [self.data_dir])  # hands the new file to the user
        subprocess.run(
            [
                str(BIN / "initdb"),
                "-D",
                str(self.cluster_dir),
                "-U",
                self.settings.postgres_user,
                "--pwfile",
                str(password_file),
                "--auth",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--locale",
                "C.UTF-8",
            ],
            check=True,
            user=account.pw_uid,
            group=account.pw_gid,
            extra_groups=[],
            stdout=subprocess.DEVNULL,
            cwd=self.data_dir,
        )
        password_file.unlink()

    def command(self) -> list[str]:
        return [
            str(BIN / "postgres"),
            "-D",
            str(self.cluster_dir),
            "-c",
            f"port={self.port}",
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.data_dir}",
            "-c",
            "shared_buffers=128MB",
            "-c",
            "max_connections=100",
        ]

    def after_start(self) -> None:
        with psycopg.connect(self.settings.postgres_admin_dsn, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.settings.postgres_db,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{self.settings.postgres_db}"')

    def healthy(self) -> bool:
        try:
            with psycopg.connect(self.settings.postgres_admin_dsn, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False
