"""Fixtures of the pipelines tests: their own trades topic, InfluxDB bucket, lake and Spark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from pipelines.spark_session import spark_session
from tests.engine_service.harness import create_topics, unique
from xi import clients, topics
from xi.settings import Settings


@pytest.fixture(scope="session")
def pipeline_settings(
    running_stack: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings whose topics, bucket, checkpoints and lake belong to this test session only."""
    prefix = f"{unique('t')}."
    topic = f"{prefix}{topics.TRADES}"
    create_topics(running_stack, [topic], partitions=4)
    root: Path = tmp_path_factory.mktemp("pipelines")
    bucket_name = unique("test-bars")
    with clients.influxdb(running_stack) as client:
        bucket = client.buckets_api().create_bucket(
            bucket_name=bucket_name, org=running_stack.influxdb_org
        )
    yield running_stack.model_copy(
        update={
            "pipelines_topic_prefix": prefix,
            "influxdb_bucket": bucket_name,
            "pipelines_checkpoint_dir": root / "checkpoints",
            "lake_dir": root / "lake",
            "feast_dir": root / "feast",
        }
    )
    with clients.influxdb(running_stack) as client:
        client.buckets_api().delete_bucket(bucket)
    admin = clients.kafka_admin(running_stack)
    try:
        admin.delete_topics([topic])
    finally:
        admin.close()


@pytest.fixture(scope="session")
def spark(pipeline_settings: Settings) -> Iterator[SparkSession]:
    session = spark_session(pipeline_settings, app_name="xi-pipelines-tests")
    yield session
    session.stop()
