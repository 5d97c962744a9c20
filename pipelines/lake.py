"""The Parquet lake of raw events, partitioned by date and symbol, written exactly once.

Each micro-batch writes one file per partition, named after the batch id
(``date=D/symbol=S/batch-000000000042.parquet``): the batch is written whole to a staging
folder, then each file is renamed into place. A batch redone after a crash writes the same
records under the same names and replaces what the first attempt left, so every committed
record is in the lake once. Readers list the table folder (Spark skips the ``_staging``
folder, as it skips every name that starts with ``_`` or ``.``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from pipelines import markets
from pipelines.sources import event_time
from xi.settings import Settings

TRADES_TABLE = "trades"
EXECUTIONS_TABLE = "executions"
LABELS_TABLE = "labels"
PARTITIONS = ("date", "symbol")


class LakeError(RuntimeError):
    """The lake's folder is not in the shape this module writes."""


def table_path(settings: Settings, table: str) -> Path:
    return settings.lake_dir / table


def lake_trades(trades: DataFrame) -> DataFrame:
    """The raw trade with exact decimal price and quantity beside its ticks and lots."""
    return trades.select(
        "*",
        event_time().alias("event_time"),
        markets.price("price").alias("price_decimal"),
        markets.quantity("qty").alias("qty_decimal"),
        F.to_date(event_time()).alias("date"),
    )


def lake_events(events: DataFrame) -> DataFrame:
    """A raw engine event with its time and the date it is filed under."""
    return events.select(
        "*", event_time().alias("event_time"), F.to_date(event_time()).alias("date")
    )


def lake_labels(labels: DataFrame) -> DataFrame:
    """A simulator's ground-truth scenario, filed under the date it started."""
    started = F.timestamp_micros(F.expr("start_ns div 1000"))
    return labels.select("*", F.to_date(started).alias("date"))


def batch_file_name(batch_id: int) -> str:
    return f"batch-{batch_id:012d}.parquet"


def write_batch(rows: DataFrame, settings: Settings, table: str, batch_id: int) -> int:
    """Write one micro-batch's ``rows`` (with ``date`` and ``symbol``); the files written."""
    folder = table_path(settings, table)
    if (folder / "_spark_metadata").exists():
        # Spark would read such a folder through that log only and never see these files.
        raise LakeError(f"{folder} was written by a Spark file sink; move it aside first")
    staging = folder / "_staging" / f"batch-{batch_id}"
    # One task, so that each partition gets exactly one file: its name can be the batch's.
    rows.coalesce(1).write.mode("overwrite").partitionBy(*PARTITIONS).parquet(str(staging))
    written = 0
    for partition in sorted(staging.glob("*=*/*=*")):
        files = sorted(partition.glob("part-*.parquet"))
        if len(files) != 1:
            raise LakeError(f"{partition}: {len(files)} files where one was written")
        target = folder / partition.relative_to(staging) / batch_file_name(batch_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(files[0], target)
        written += 1
    shutil.rmtree(staging)
    return written


def write_frame(rows: pd.DataFrame, path: Path) -> None:
    """Write a small frame of driver-side rows to ``path`` in one rename."""
    staging = path.with_name(f".{path.name}.tmp")
    rows.to_parquet(staging, index=False)
    os.replace(staging, path)
