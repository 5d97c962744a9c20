"""The stack's Dagster service answers and serves the platform's code location."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from xi.settings import Settings
from xi.stack.dagster import Dagster

ASSET_KEYS = "{ assetNodes { assetKey { path } } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def served_assets(url: str, timeout_s: float) -> set[str]:
    """The asset keys the webserver lists, once the code location has loaded."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = httpx.post(f"{url}/graphql", json={"query": ASSET_KEYS}, timeout=10).json()
        nodes = answer["data"]["assetNodes"]
        if nodes:
            return {"/".join(node["assetKey"]["path"]) for node in nodes}
        time.sleep(1)
    return set()


def test_the_webserver_answers_and_serves_the_assets(settings: Settings, tmp_path: Path) -> None:
    # Its own state folder and port: the stack's own Dagster, if any, is left alone.
    own = settings.model_copy(update={"state_dir": tmp_path, "dagster_webserver_port": free_port()})
    service = Dagster(own)
    service.start()
    try:
        service.wait_healthy()
        info = httpx.get(f"{service.url}/server_info", timeout=5).json()
        assert info["dagster_webserver_version"]
        assert served_assets(service.url, timeout_s=180) == {
            "lake_trades",
            "symbol_market_1m",
            "feast_registry",
            "symbol_market_online",
        }
        assert service.status().healthy
    finally:
        service.stop()
    assert service.pid() is None
