"""Batch recomputation from the lake: the streaming job's bars and features, from the same code.

The lake holds every committed event once; adding all of them up at once gives the totals the
stream ends with for the same events (the stream only leaves out events later than its
watermark allows).
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame, SparkSession

from pipelines import account_features, lake
from pipelines.bars import Bar, bar_parts, decimal_bars, totals_by_bar
from xi.settings import Settings

# What the bars need of a lake trade.
BAR_INPUT = ["symbol", "seq", "ts_ns", "price", "qty"]


def read_lake(spark: SparkSession, settings: Settings, table: str) -> DataFrame:
    """Every committed row of one lake table."""
    return spark.read.parquet(str(lake.table_path(settings, table)))


def read_lake_trades(spark: SparkSession, settings: Settings) -> DataFrame:
    return read_lake(spark, settings, lake.TRADES_TABLE)


def batch_bars(spark: SparkSession, trades: pd.DataFrame, interval: str) -> list[Bar]:
    """The bars of one interval over ``trades`` (lake rows), in decimals."""
    frame = spark.createDataFrame(trades[BAR_INPUT])
    totals = totals_by_bar(bar_parts(frame).collect())
    return decimal_bars({key: value for key, value in totals.items() if key[1] == interval})


def batch_account_activity(
    spark: SparkSession, settings: Settings, window_s: int | None = None
) -> pd.DataFrame:
    """The ``account_activity`` rows of every window in the lake, timed at the window's end."""
    window_ns = (window_s or settings.pipelines_feature_window_s) * 1_000_000_000
    found = account_features.activity(
        account_features.order_parts(
            read_lake(spark, settings, lake.EXECUTIONS_TABLE), window_ns
        ).collect(),
        account_features.volume_parts(read_lake_trades(spark, settings), window_ns).collect(),
    )
    return account_features.feature_rows(found, found.accounts, window_ns, as_of="end")
