"""Batch recomputation from the lake: the streaming job's bars, from the same code.

On a batch DataFrame Spark ignores the watermark, so :func:`pipelines.bars.bars` gives each
bar over every trade the lake holds: the values the stream ends with for the same trades.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame, SparkSession

from pipelines import lake
from pipelines.bars import Bar, bars, decimal_bars
from pipelines.sources import event_time
from xi.settings import Settings

# What the bars need of a lake trade.
BAR_INPUT = ["symbol", "seq", "ts_ns", "price", "qty"]


def read_lake_trades(spark: SparkSession, settings: Settings) -> DataFrame:
    """Every committed trade of the lake (through the file sink's log, so each one once)."""
    return spark.read.parquet(str(lake.table_path(settings, lake.TRADES_TABLE)))


def batch_bars(spark: SparkSession, trades: pd.DataFrame, interval: str) -> list[Bar]:
    """The bars of one interval over ``trades`` (lake rows), in decimals."""
    frame = spark.createDataFrame(trades[BAR_INPUT]).withColumn("event_time", event_time())
    return decimal_bars(bars(frame, interval, watermark_s=0).collect())
