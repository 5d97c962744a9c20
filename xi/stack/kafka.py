"""Apache Kafka 4 in KRaft mode, one node, from the jars on Maven Central, on the machine's Java."""

from __future__ import annotations

import base64
import shutil
import subprocess
import uuid
from pathlib import Path

from kafka.errors import KafkaError

from xi import clients
from xi.settings import PROJECT_ROOT
from xi.stack.artifacts import maven_dependencies
from xi.stack.service import Service, StackError

KAFKA_DIR = PROJECT_ROOT / "infra" / "local" / "kafka"


class Kafka(Service):
    name = "kafka"
    version = "4.4.0 (KRaft)"
    # Loading the logs of many partitions after a restart takes over a minute on a busy machine.
    start_timeout_s = 180.0

    @property
    def port(self) -> int:
        return self.settings.kafka_port

    def extra_ports(self) -> list[int]:
        return [self.settings.kafka_controller_port]

    @property
    def libs(self) -> Path:
        return maven_dependencies(KAFKA_DIR / "pom.xml", self.settings.cache_dir / "maven")

    @property
    def properties_path(self) -> Path:
        return self.data_dir / "server.properties"

    def install(self) -> None:
        if shutil.which("java") is None:
            raise StackError("Kafka needs Java 17 or newer on the PATH")
        _ = self.libs

    def _java(self, main_class: str, *args: str) -> list[str]:
        return [
            "java",
            f"-Xms{self.settings.kafka_heap_mb}m",
            f"-Xmx{self.settings.kafka_heap_mb}m",
            "-XX:+UseG1GC",
            "-XX:MaxDirectMemorySize=256m",
            f"-Dlog4j2.configurationFile={KAFKA_DIR / 'log4j2.properties'}",
            "-cp",
            f"{self.libs}/*",
            main_class,
            *args,
        ]

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port, controller = self.settings.kafka_port, self.settings.kafka_controller_port
        self.properties_path.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.bootstrap.servers=127.0.0.1:{controller}",
                    f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
                    f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={self.data_dir / 'logs'}",
                    "num.partitions=4",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=true",
                    "log.retention.hours=168",
                    "",
                ]
            )
        )
        if (self.data_dir / "logs" / "meta.properties").exists():
            return
        result = subprocess.run(
            self._java(
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                _new_cluster_id(),
                "-c",
                str(self.properties_path),
            ),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise StackError(f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}")

    def command(self) -> list[str]:
        return self._java("kafka.Kafka", str(self.properties_path))

    def healthy(self) -> bool:
        try:
            admin = clients.kafka_admin(self.settings)
        except KafkaError:
            return False
        try:
            admin.list_topics()
            return True
        except KafkaError:
            return False
        finally:
            admin.close()


def _new_cluster_id() -> str:
    """A cluster id in Kafka's form: 16 random bytes, URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
