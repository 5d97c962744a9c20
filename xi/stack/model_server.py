"""The model server (TF Serving protocols) over the local model base path."""

from __future__ import annotations

import sys

import grpc
import httpx

from xi.settings import PROJECT_ROOT
from xi.stack.service import Service


class ModelServer(Service):
    name = "model_server"
    version = "TF Serving APIs (models.serving)"
    start_timeout_s = 180.0  # importing TensorFlow alone takes a while on a busy machine

    @property
    def port(self) -> int:
        return self.settings.model_server_rest_port

    def extra_ports(self) -> list[int]:
        return [self.settings.model_server_grpc_port]

    def install(self) -> None:
        """Nothing to fetch: the server is Python from the locked environment."""

    def prepare(self) -> None:
        super().prepare()
        self.settings.model_base_path.mkdir(parents=True, exist_ok=True)

    def environment(self) -> dict[str, str]:
        # The server runs with its data folder as working directory; make the project importable.
        return {"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "1"}

    def command(self) -> list[str]:
        threads = str(self.settings.model_server_threads)
        return [
            sys.executable,
            "-m",
            "models.serving",
            "--model-base-path",
            str(self.settings.model_base_path),
            "--grpc-port",
            str(self.settings.model_server_grpc_port),
            "--rest-port",
            str(self.port),
            "--intra-op-threads",
            threads,
            "--inter-op-threads",
            threads,
        ]

    def healthy(self) -> bool:
        """Both ports answer: REST with TF Serving's JSON, gRPC with a ready channel."""
        try:
            # A model that does not exist: a live server answers 404 with a JSON error.
            answer = httpx.get(f"http://127.0.0.1:{self.port}/v1/models/_health", timeout=2)
            if answer.status_code not in (200, 404) or "error" not in answer.json():
                return False
        except (httpx.HTTPError, ValueError):
            return False
        with grpc.insecure_channel(f"127.0.0.1:{self.settings.model_server_grpc_port}") as channel:
            try:
                grpc.channel_ready_future(channel).result(timeout=2)
            except grpc.FutureTimeoutError:
                return False
        return True
