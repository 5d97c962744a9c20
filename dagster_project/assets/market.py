"""The minute bars recomputed from the lake: the backfill of ``symbol_market_1m``."""

from __future__ import annotations

import shutil

import dagster as dg
import pandas as pd

from dagster_project.resources import PlatformResource
from pipelines.backfill import batch_bars
from pipelines.feature_push import symbol_market_rows
from xi.settings import Settings

BACKFILL_FILE = "backfill.parquet"


def _write_feature_rows(settings: Settings, rows: pd.DataFrame) -> None:
    """Replace the view's lake folder in one rename, so Feast never reads half a file."""
    folder = settings.lake_dir / "features" / "symbol_market_1m"
    staging = folder.with_name(f".{folder.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    rows.to_parquet(staging / BACKFILL_FILE, index=False)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


@dg.asset(group_name="market", compute_kind="spark")
def symbol_market_1m(
    lake_trades: pd.DataFrame, platform: PlatformResource
) -> dg.Output[pd.DataFrame]:
    """Each symbol's one-minute bars from the lake, as Feast rows of ``symbol_market_1m``."""
    rows = symbol_market_rows(batch_bars(platform.spark(), lake_trades, "1m"))
    _write_feature_rows(platform.settings(), rows)
    return dg.Output(rows, metadata={"bars": len(rows)})
