"""The assets on a real Parquet lake: they materialise, bad data blocks, batch equals stream."""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import pytest
from pyspark.sql import SparkSession

from dagster_project.assets.feature_store import feast_registry, symbol_market_online
from dagster_project.assets.lake import lake_trades
from dagster_project.assets.market import symbol_market_1m
from dagster_project.checks import lake_trades_expectations, symbol_market_1m_expectations
from dagster_project.resources import PlatformResource
from features.store import feature_store
from pipelines.backfill import batch_bars, read_lake_trades
from pipelines.workload import Trade
from tests.dagster_project.conftest import SYMBOLS, write_lake
from tests.pipelines.test_market_jobs import expected_bars
from xi.settings import Settings


def materialize_all(platform: PlatformResource) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [
            lake_trades,
            symbol_market_1m,
            feast_registry,
            symbol_market_online,
            lake_trades_expectations,
            symbol_market_1m_expectations,
        ],
        resources={"platform": platform},
        raise_on_error=False,
    )


def materialised(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        event.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    }


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()
    }


def test_the_assets_fill_the_online_store_with_each_symbols_last_minute_bar(
    spark: SparkSession, lake_settings: Settings, platform: PlatformResource, trades: list[Trade]
) -> None:
    write_lake(spark, lake_settings, trades)

    result = materialize_all(platform)

    assert result.success
    assert materialised(result) == {
        "lake_trades",
        "symbol_market_1m",
        "feast_registry",
        "symbol_market_online",
    }
    assert all(evaluation.passed for evaluation in checks(result).values())
    assert len(checks(result)) == 2
    expected = expected_bars(trades)
    store = feature_store(lake_settings)
    online = store.get_online_features(
        features=store.get_feature_service("market_v1"),
        entity_rows=[{"symbol": symbol} for symbol in SYMBOLS],
    ).to_dict()
    for index, symbol in enumerate(SYMBOLS):
        bar = expected[max(key for key in expected if key[:2] == (symbol, "1m"))]
        assert online["close"][index] == float(bar.close), symbol
        assert online["vwap"][index] == float(bar.vwap), symbol
        assert online["volume"][index] == float(bar.volume), symbol
        assert online["trade_count"][index] == bar.trade_count, symbol


def duplicate_trade_id(trades: list[Trade]) -> list[Trade]:
    """A later trade of the first symbol reuses an earlier trade's id."""
    first = [trade for trade in trades if trade["symbol"] == SYMBOLS[0]]
    first[10]["trade_id"] = first[3]["trade_id"]
    return trades


def sequence_gap(trades: list[Trade]) -> list[Trade]:
    """One trade of the first symbol is missing from the middle."""
    missing = [trade for trade in trades if trade["symbol"] == SYMBOLS[0]][10]
    return [trade for trade in trades if trade is not missing]


@pytest.mark.parametrize(
    ("spoil", "expectation"),
    [
        (duplicate_trade_id, "expect_compound_columns_to_be_unique(['symbol', 'trade_id'])"),
        (sequence_gap, "expect_column_values_to_be_between(seq_step)"),
    ],
)
def test_a_bad_batch_fails_its_check_and_blocks_everything_downstream(
    spark: SparkSession,
    lake_settings: Settings,
    platform: PlatformResource,
    trades: list[Trade],
    spoil: Callable[[list[Trade]], list[Trade]],
    expectation: str,
) -> None:
    write_lake(spark, lake_settings, spoil(trades))

    result = materialize_all(platform)

    assert not result.success
    check = checks(result)["lake_trades_expectations"]
    assert not check.passed
    assert list(check.metadata["failed_expectations"].value) == [expectation]
    # The bars, their check and the online store never ran; the registry does not depend on
    # the lake and is applied.
    assert materialised(result) == {"lake_trades", "feast_registry"}
    assert "symbol_market_1m_expectations" not in checks(result)
    assert not (lake_settings.lake_dir / "features" / "symbol_market_1m").exists()


def test_the_bars_recomputed_from_the_lake_equal_the_streaming_bars(
    spark: SparkSession, lake_settings: Settings, trades: list[Trade]
) -> None:
    write_lake(spark, lake_settings, trades)
    lake_frame = read_lake_trades(spark, lake_settings).toPandas()
    # The streaming job's bars for these trades, as its test checks them in InfluxDB.
    expected = expected_bars(trades)

    recomputed = {
        (bar.symbol, bar.interval, bar.start_ns): bar
        for interval in ("1s", "1m")
        for bar in batch_bars(spark, lake_frame, interval)
    }

    assert sorted(recomputed) == sorted(expected)
    for key, want in expected.items():
        got = recomputed[key]
        assert (got.open, got.high, got.low, got.close) == (
            want.open,
            want.high,
            want.low,
            want.close,
        ), key
        assert (got.volume, got.vwap, got.trade_count) == (
            want.volume,
            want.vwap,
            want.trade_count,
        ), key
