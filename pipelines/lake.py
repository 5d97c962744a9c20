"""The Parquet lake of raw events, partitioned by date and symbol, written exactly once.

Spark's file sink commits each micro-batch's files in the query's metadata log together with
the Kafka offsets in its checkpoint: a batch redone after a crash replaces its files instead of
adding them twice, and readers that go through the log (``spark.read.parquet`` on the table's
folder) see each committed record once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from pipelines import markets
from xi.settings import Settings

TRADES_TABLE = "trades"


def table_path(settings: Settings, table: str) -> Path:
    return settings.lake_dir / table


def lake_trades(trades: DataFrame) -> DataFrame:
    """The raw trade with exact decimal price and quantity beside its ticks and lots."""
    return trades.select(
        "*",
        markets.price("price").alias("price_decimal"),
        markets.quantity("qty").alias("qty_decimal"),
        F.to_date("event_time").alias("date"),
    )


def write_trades(
    trades: DataFrame, settings: Settings, trigger: dict[str, Any], name: str = "lake-trades"
) -> StreamingQuery:
    return (
        lake_trades(trades)
        .writeStream.queryName(name)
        .format("parquet")
        .outputMode("append")
        .partitionBy("date", "symbol")
        .option("path", str(table_path(settings, TRADES_TABLE)))
        .option("checkpointLocation", str(settings.pipelines_checkpoint_dir / name))
        .trigger(**trigger)
        .start()
    )
