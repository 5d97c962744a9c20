"""The matching engine service (Rust, `engine/crates/engine-service`) on the local Kafka."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from xi import cargo, clients, topics
from xi.settings import PROJECT_ROOT, Settings
from xi.stack.service import Service

ENGINE_WORKSPACE = PROJECT_ROOT / "engine"


def binary(settings: Settings, name: str = "engine-service") -> Path:
    return settings.cargo_target_dir / "release" / name


def create_topics(settings: Settings) -> None:
    """Create the engine's topics (idempotent). Its readers and the engine itself subscribe to
    existing topics, so whichever of them starts first creates them."""
    admin = clients.kafka_admin(settings)
    try:
        for name in (topics.ORDERS, topics.EXECUTIONS, topics.TRADES, topics.BOOK):
            topic = NewTopic(
                f"{settings.engine_topic_prefix}{name}",
                num_partitions=settings.engine_partitions,
                replication_factor=1,
            )
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics([topic])
    finally:
        admin.close()


class Engine(Service):
    name = "engine"
    version = "engine-service 0.1.0 (rdkafka, exactly once)"
    start_timeout_s = 120.0
    tier = 1  # an application: it needs Kafka answering

    @property
    def port(self) -> int:
        return self.settings.engine_metrics_port

    def install(self) -> None:
        cargo.build_release(self.settings, "engine-service")

    def prepare(self) -> None:
        super().prepare()
        create_topics(self.settings)

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
