"""Spark in local mode: pyspark brings Spark; the Kafka connector comes from Maven Central."""

from __future__ import annotations

from pathlib import Path

from xi.settings import PROJECT_ROOT, Settings
from xi.stack.artifacts import maven_dependencies

CONNECTOR_POM = PROJECT_ROOT / "infra" / "local" / "spark-kafka" / "pom.xml"


def kafka_connector_jars(settings: Settings) -> list[Path]:
    """The connector's jars (fetched once into the Maven cache), for ``spark.jars``."""
    folder = maven_dependencies(CONNECTOR_POM, settings.cache_dir / "maven")
    return sorted(folder.glob("*.jar"))
