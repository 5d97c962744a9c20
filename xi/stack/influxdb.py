"""InfluxDB 2 built from its Go module and its Flux library's Rust crates (see infra/influxdb)."""

from __future__ import annotations

import os
import subprocess
from functools import cached_property
from pathlib import Path

import httpx

from xi.settings import PROJECT_ROOT
from xi.stack.service import Service, StackError

BUILD_SCRIPT = PROJECT_ROOT / "infra" / "influxdb" / "build.sh"


class InfluxDB(Service):
    name = "influxdb"
    version = "2.7"
    start_timeout_s = 60.0

    @property
    def port(self) -> int:
        return self.settings.influxdb_port

    @cached_property
    def binary(self) -> Path:
        """Build the server, or find it in the cache when its inputs have not changed."""
        result = subprocess.run(
            ["bash", str(BUILD_SCRIPT)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "XI_CACHE_DIR": str(self.settings.cache_dir)},
        )
        lines = result.stdout.strip().splitlines()
        if result.returncode != 0 or not lines:
            raise StackError(f"building influxd failed (exit {result.returncode})")
        return Path(lines[-1])

    def install(self) -> None:
        _ = self.binary

    def command(self) -> list[str]:
        return [
            str(self.binary),
            f"--bolt-path={self.data_dir / 'influxd.bolt'}",
            f"--engine-path={self.data_dir / 'engine'}",
            f"--http-bind-address=127.0.0.1:{self.port}",
            "--reporting-disabled",
            "--log-level=warn",
            # Bound memory: a small write cache and few concurrent queries.
            "--storage-cache-max-memory-size=134217728",
            "--query-concurrency=4",
            "--query-queue-size=16",
            "--query-memory-bytes=67108864",
        ]

    def after_start(self) -> None:
        """Onboard once: the organisation, bucket, user and the operator token from settings."""
        s = self.settings
        response = httpx.get(f"{s.influxdb_url}/api/v2/setup", timeout=5)
        if not response.json().get("allowed"):
            return
        httpx.post(
            f"{s.influxdb_url}/api/v2/setup",
            json={
                "username": s.influxdb_user,
                "password": s.influxdb_password.get_secret_value(),
                "org": s.influxdb_org,
                "bucket": s.influxdb_bucket,
                "token": s.influxdb_token.get_secret_value(),
            },
            timeout=10,
        ).raise_for_status()

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.settings.influxdb_url}/health", timeout=2)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.json().get("status") == "pass"
