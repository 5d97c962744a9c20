"""The Great Expectations suites as blocking asset checks: failing data stops its dependents."""

from __future__ import annotations

import time

import dagster as dg
import pandas as pd

from dagster_project.assets.lake import lake_trades
from dagster_project.assets.market import symbol_market_1m
from pipelines import quality


def _result(verdict: quality.Verdict, rows: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=verdict.success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows": rows,
            "failed_expectations": dg.MetadataValue.json(
                {name: repr(seen) for name, seen in verdict.failed.items()}
            ),
        },
    )


@dg.asset_check(asset=lake_trades, blocking=True)
def lake_trades_expectations(lake_trades: pd.DataFrame) -> dg.AssetCheckResult:
    """Schema, positive prices and quantities, unique trade ids, gap-free sequence numbers
    per symbol, no future timestamps."""
    suite = quality.trade_suite(now_ns=time.time_ns())
    verdict = quality.validate(quality.with_sequence_steps(lake_trades), suite)
    return _result(verdict, len(lake_trades))


@dg.asset_check(asset=symbol_market_1m, blocking=True)
def symbol_market_1m_expectations(symbol_market_1m: pd.DataFrame) -> dg.AssetCheckResult:
    """Schema, positive prices and volumes, one row per symbol and time, nothing from the future."""
    suite = quality.bar_feature_suite(now_ns=time.time_ns())
    return _result(quality.validate(symbol_market_1m, suite), len(symbol_market_1m))
