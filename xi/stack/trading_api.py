"""The trading API (FastAPI under uvicorn) as a service of the local stack."""

from __future__ import annotations

import sys

import httpx

from xi.stack.engine import create_topics
from xi.stack.service import Service


def uvicorn_command(port: int) -> list[str]:
    """The API under uvicorn on loopback: the stack's service and any extra instance alike."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "trading_api.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]


class TradingApi(Service):
    name = "trading_api"
    version = "0.1.0"
    tier = 1
    start_timeout_s = 120.0  # it indexes the curriculum and joins the executions group first

    @property
    def port(self) -> int:
        return self.settings.trading_api_port

    def install(self) -> None:
        """Nothing to fetch: the application is this project's own code."""

    def prepare(self) -> None:
        """The API reads the engine's reports from its first moment: their topics must exist."""
        super().prepare()
        create_topics(self.settings)

    def command(self) -> list[str]:
        return uvicorn_command(self.port)

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.settings.trading_api_url}/api/v3/ping", timeout=2).is_success
        except httpx.HTTPError:
            return False
