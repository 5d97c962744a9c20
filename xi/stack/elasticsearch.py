"""Elasticsearch 9 from the distribution zip that Elastic publishes on Maven Central.

The integ-test zip is the slim distribution: no bundled JDK and only the modules the server
cannot do without (transport, x-pack core and security; no analysis-common, painless, reindex
or ingest). It refuses to run as root, so it runs as the project's service user.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from elastic_transport import TransportError
from elasticsearch import ApiError

from xi import clients
from xi.stack.artifacts import maven_artifact
from xi.stack.java import find_java_home
from xi.stack.service import Service

VERSION = "9.5.0"
COORDINATES = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{VERSION}:zip"


class Elasticsearch(Service):
    name = "elasticsearch"
    version = VERSION
    start_timeout_s = 120.0
    run_as_service_user = True

    @property
    def port(self) -> int:
        return self.settings.elasticsearch_port

    def extra_ports(self) -> list[int]:
        return [self.settings.elasticsearch_transport_port]

    @property
    def home(self) -> Path:
        return self.data_dir / f"elasticsearch-{VERSION}"

    def install(self) -> None:
        maven_artifact(COORDINATES, self.settings.cache_dir / "maven")
        find_java_home(21)

    def prepare(self) -> None:
        if not (self.home / "bin" / "elasticsearch").exists():
            archive = maven_artifact(COORDINATES, self.settings.cache_dir / "maven")
            shutil.rmtree(self.home, ignore_errors=True)
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(self.data_dir)
            for script in (self.home / "bin").iterdir():
                script.chmod(0o755)
        config = self.data_dir / "config"
        if not config.exists():
            shutil.copytree(self.home / "config", config)
        (config / "elasticsearch.yml").write_text(
            "\n".join(
                [
                    "cluster.name: xi-local",
                    "node.name: xi-local-1",
                    f"path.data: {self.data_dir / 'data'}",
                    f"path.logs: {self.data_dir / 'logs'}",
                    "network.host: 127.0.0.1",
                    f"http.port: {self.port}",
                    f"transport.port: {self.settings.elasticsearch_transport_port}",
                    "discovery.type: single-node",
                    # Loopback only; an explicit setting also stops the security auto-configuration,
                    # which writes keystore entries this slim distribution cannot read.
                    "xpack.security.enabled: false",
                    # One small node on a shared disk: never refuse writes for disk watermarks.
                    "cluster.routing.allocation.disk.threshold_enabled: false",
                    "action.destructive_requires_name: false",
                    "",
                ]
            )
        )

    def environment(self) -> dict[str, str]:
        heap = self.settings.elasticsearch_heap_mb
        return {
            "ES_JAVA_HOME": str(find_java_home(21)),
            "ES_PATH_CONF": str(self.data_dir / "config"),
            "ES_JAVA_OPTS": f"-Xms{heap}m -Xmx{heap}m -XX:MaxDirectMemorySize=256m",
        }

    def command(self) -> list[str]:
        return [str(self.home / "bin" / "elasticsearch")]

    def healthy(self) -> bool:
        try:
            health = clients.elasticsearch(self.settings).cluster.health(timeout="1s")
        except (TransportError, ApiError):
            return False
        return health["status"] in ("green", "yellow")
