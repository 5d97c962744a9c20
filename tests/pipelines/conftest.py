"""Fixtures of the pipelines tests: topics, InfluxDB bucket, lake and checkpoints per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from pipelines.jobs import TOPICS
from pipelines.spark_session import spark_session
from tests.engine_service.harness import create_topics, unique
from xi import clients
from xi.settings import Settings


@pytest.fixture
def pipeline_settings(running_stack: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings whose topics, bucket, checkpoints and lake belong to this test only."""
    prefix = f"{unique('t')}."
    names = [f"{prefix}{topic}" for topic in TOPICS]
    create_topics(running_stack, names, partitions=4)
    bucket_name = unique("test-bars")
    with clients.influxdb(running_stack) as client:
        bucket = client.buckets_api().create_bucket(
            bucket_name=bucket_name, org=running_stack.influxdb_org
        )
    yield running_stack.model_copy(
        update={
            "pipelines_topic_prefix": prefix,
            "influxdb_bucket": bucket_name,
            "pipelines_checkpoint_dir": tmp_path / "checkpoints",
            "lake_dir": tmp_path / "lake",
            "feast_dir": tmp_path / "feast",
        }
    )
    with clients.influxdb(running_stack) as client:
        client.buckets_api().delete_bucket(bucket)
    admin = clients.kafka_admin(running_stack)
    try:
        admin.delete_topics(names)
    finally:
        admin.close()


@pytest.fixture(scope="session")
def spark(running_stack: Settings) -> Iterator[SparkSession]:
    session = spark_session(running_stack, app_name="xi-pipelines-tests")
    yield session
    session.stop()
