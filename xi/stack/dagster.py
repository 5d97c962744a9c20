"""Dagster's webserver and daemon, serving ``dagster_project``, as a service of the local stack.

``dagster dev`` runs both processes under one parent: the webserver for the UI and the daemon
that ticks the schedule and the sensor. Their instance (runs, event log, cursors) lives in the
service's data folder, ``DAGSTER_HOME``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from xi.stack.service import Service


class Dagster(Service):
    name = "dagster"
    version = "1.13"
    tier = 1
    # The code location imports Spark, Feast and Great Expectations before it answers.
    start_timeout_s = 240.0

    @property
    def port(self) -> int:
        return self.settings.dagster_webserver_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def install(self) -> None:
        """Nothing to fetch: Dagster is a dependency and the code location is this project's."""

    def prepare(self) -> None:
        super().prepare()
        # An empty dagster.yaml: the default SQLite storage under DAGSTER_HOME.
        (self.data_dir / "dagster.yaml").touch()

    def environment(self) -> dict[str, str]:
        return {"DAGSTER_HOME": str(self.data_dir)}

    def command(self) -> list[str]:
        dagster = Path(sys.executable).with_name("dagster")
        return [
            str(dagster),
            "dev",
            "-m",
            "dagster_project",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/server_info", timeout=2).is_success
        except httpx.HTTPError:
            return False
