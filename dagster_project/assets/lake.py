"""The lake's trades table, read as one batch."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from dagster_project.resources import PlatformResource
from pipelines.backfill import read_lake_trades


@dg.asset(group_name="lake", compute_kind="spark")
def lake_trades(platform: PlatformResource) -> dg.Output[pd.DataFrame]:
    """Every committed trade of the Parquet lake, all partitions."""
    trades = read_lake_trades(platform.spark(), platform.settings()).toPandas()
    return dg.Output(
        trades,
        metadata={
            "rows": len(trades),
            "symbols": dg.MetadataValue.json(sorted(trades["symbol"].unique().tolist())),
        },
    )
