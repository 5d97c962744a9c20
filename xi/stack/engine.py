"""The matching engine service (Rust, `engine/crates/engine-service`) on the local Kafka."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

import httpx
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from xi import clients, topics
from xi.settings import PROJECT_ROOT, Settings
from xi.stack.service import Service, StackError

ENGINE_WORKSPACE = PROJECT_ROOT / "engine"


def build_release(settings: Settings) -> Path:
    """Build the service and its bench in release mode (a no-op when nothing changed)."""
    if shutil.which("cargo") is None:
        raise StackError("the engine needs Rust (cargo) on the PATH")
    result = subprocess.run(
        ["cargo", "build", "--release", "-p", "engine-service", "--bins"],
        cwd=ENGINE_WORKSPACE,
        env={**_env(), "CARGO_TARGET_DIR": str(settings.cargo_target_dir)},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise StackError(f"building engine-service failed:\n{result.stderr[-4000:]}")
    return binary(settings)


def binary(settings: Settings, name: str = "engine-service") -> Path:
    return settings.cargo_target_dir / "release" / name


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


class Engine(Service):
    name = "engine"
    version = "engine-service 0.1.0 (rdkafka, exactly once)"
    start_timeout_s = 120.0

    @property
    def port(self) -> int:
        return self.settings.engine_metrics_port

    def install(self) -> None:
        build_release(self.settings)

    def prepare(self) -> None:
        """Create the engine's topics (idempotent): the engine subscribes to an existing topic."""
        super().prepare()
        s = self.settings
        admin = clients.kafka_admin(s)
        try:
            for name in (topics.ORDERS, topics.EXECUTIONS, topics.TRADES, topics.BOOK):
                topic = NewTopic(
                    f"{s.engine_topic_prefix}{name}",
                    num_partitions=s.engine_partitions,
                    replication_factor=1,
                )
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics([topic])
        finally:
            admin.close()

    def command(self) -> list[str]:
        s = self.settings
        return [
            str(binary(s)),
            "--bootstrap-servers",
            s.kafka_bootstrap,
            "--group-id",
            s.engine_group_id,
            "--transactional-id",
            s.engine_transactional_id,
            "--topic-prefix",
            s.engine_topic_prefix,
            "--snapshot-dir",
            str(s.engine_dir / "snapshots"),
            "--snapshot-interval",
            str(s.engine_snapshot_interval),
            "--metrics-port",
            str(s.engine_metrics_port),
        ]

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"http://127.0.0.1:{self.port}/ready", timeout=2)
        except httpx.HTTPError:
            return False
        return response.status_code == 200
