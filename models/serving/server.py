"""The model server: one process, one model manager, the gRPC and REST front doors around it."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
import uvicorn

from models.serving import config, grpc_service, rest
from models.serving.manager import ModelManager

log = logging.getLogger(__name__)


@dataclass
class ServerOptions:
    model_base_path: Path
    model_config_file: Path | None = None
    grpc_port: int = 8500  # 0 picks a free port
    rest_port: int = 8501
    host: str = "127.0.0.1"
    poll_seconds: float = 1.0
    grpc_workers: int = 4


class ModelServer:
    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.manager = ModelManager(self._config_source(), options.poll_seconds)
        self.grpc_port = 0
        self.rest_port = 0
        self._grpc: grpc.Server | None = None
        self._rest: uvicorn.Server | None = None
        self._rest_thread: threading.Thread | None = None

    def _config_source(self) -> Callable[[], list[config.ModelConfig]]:
        config_file = self.options.model_config_file
        if config_file is not None:
            models = config.from_config_file(config_file)
            return lambda: models
        return lambda: config.from_base_path(self.options.model_base_path)

    def start(self) -> None:
        """Load the models on disk, then open both ports; returns when both answer."""
        self.manager.start()
        self._grpc, self.grpc_port = grpc_service.serve(
            self.manager, self.options.grpc_port, self.options.host, self.options.grpc_workers
        )
        # Bind the REST socket here so that port 0 tells us its number before uvicorn runs.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.options.host, self.options.rest_port))
        self.rest_port = sock.getsockname()[1]
        self._rest = uvicorn.Server(
            uvicorn.Config(
                rest.create_app(self.manager),
                log_level="warning",
                access_log=False,
                lifespan="off",
            )
        )
        self._rest_thread = threading.Thread(
            target=self._rest.run, kwargs={"sockets": [sock]}, name="rest", daemon=True
        )
        self._rest_thread.start()
        deadline = time.monotonic() + 30
        while not self._rest.started:
            if time.monotonic() > deadline or not self._rest_thread.is_alive():
                raise RuntimeError(f"the REST server did not start on port {self.rest_port}")
            time.sleep(0.02)
        log.info("serving gRPC on %d and REST on %d", self.grpc_port, self.rest_port)

    def stop(self) -> None:
        if self._rest is not None:
            self._rest.should_exit = True
        if self._rest_thread is not None:
            self._rest_thread.join(timeout=10)
        if self._grpc is not None:
            self._grpc.stop(grace=2).wait()
        self.manager.stop()
