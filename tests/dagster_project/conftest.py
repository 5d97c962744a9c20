"""Fixtures of the Dagster tests: a Parquet lake and a Feast folder of each test's own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from dagster_project.resources import PlatformResource
from pipelines import lake
from pipelines.sources import contract_schema
from pipelines.spark_session import spark_session
from pipelines.workload import Trade, TradeWorkload
from xi import topics
from xi.settings import Settings

SYMBOLS = ["BTCUSDT", "XITUSDT"]
MINUTE_NS = 60 * 1_000_000_000


@pytest.fixture(scope="session")
def spark(settings: Settings) -> Iterator[SparkSession]:
    session = spark_session(settings, app_name="xi-dagster-tests")
    yield session
    session.stop()


@pytest.fixture
def lake_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={"lake_dir": tmp_path / "lake", "feast_dir": tmp_path / "feast"}
    )


@pytest.fixture
def platform(lake_settings: Settings) -> PlatformResource:
    return PlatformResource(
        lake_dir=str(lake_settings.lake_dir), feast_dir=str(lake_settings.feast_dir)
    )


@pytest.fixture
def trades() -> list[Trade]:
    """About two minutes of trades of two symbols, ending minutes ago (none in the future)."""
    start_ns = (time.time_ns() // MINUTE_NS - 5) * MINUTE_NS
    return list(TradeWorkload(SYMBOLS, seed=11).trades(start_ns, 400, 300_000_000))


def write_lake(spark: SparkSession, settings: Settings, trades: list[Trade]) -> None:
    """The trades as the streaming job lays them out: the lake's columns and partitions."""
    frame = spark.createDataFrame(trades, schema=contract_schema(topics.TRADES))
    (
        lake.lake_trades(frame)
        .write.partitionBy("date", "symbol")
        .mode("append")
        .parquet(str(lake.table_path(settings, lake.TRADES_TABLE)))
    )
