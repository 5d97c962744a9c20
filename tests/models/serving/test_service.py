"""The model server as a service of the local stack: started, healthy, answering, stopped."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from tests.models.serving.conftest import MODEL, install_version
from xi.settings import Settings
from xi.stack import stack
from xi.stack.model_server import ModelServer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_settings_put_the_base_path_under_the_state_dir(tmp_path: Path) -> None:
    assert Settings(state_dir=tmp_path).model_base_path == tmp_path / "models"
    other = tmp_path / "elsewhere"
    assert Settings(state_dir=tmp_path, model_base_path=other).model_base_path == other
    assert ModelServer in stack.SERVICE_TYPES


def test_service_starts_serves_the_base_path_and_stops(
    tmp_path: Path, exported: dict[int, Path]
) -> None:
    settings = Settings(
        state_dir=tmp_path, model_server_grpc_port=_free_port(), model_server_rest_port=_free_port()
    )
    install_version(exported, settings.model_base_path, 1)
    service = ModelServer(settings)
    service.start()
    try:
        service.wait_healthy()
        status = service.status()
        assert status.healthy and status.rss_mb is not None
        answer = httpx.get(f"http://127.0.0.1:{settings.model_server_rest_port}/v1/models/{MODEL}")
        assert answer.json()["model_version_status"][0]["state"] == "AVAILABLE"
    finally:
        service.stop()
    assert service.pid() is None
    assert not service.healthy()
