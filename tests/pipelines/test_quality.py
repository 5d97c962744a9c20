"""The minute-bar feature suite refuses what the online store must never serve."""

from __future__ import annotations

import time

import pandas as pd

from pipelines import quality

SECOND_NS = 1_000_000_000


def feature_rows(volumes: list[float], offsets_s: list[int], symbols: list[str]) -> pd.DataFrame:
    now_ns = time.time_ns()
    return pd.DataFrame(
        {
            "symbol": symbols,
            "event_timestamp": pd.to_datetime(
                [now_ns + offset * SECOND_NS for offset in offsets_s], unit="ns", utc=True
            ),
            "close": [100.5] * len(symbols),
            "vwap": [100.25] * len(symbols),
            "volume": volumes,
            "trade_count": [3] * len(symbols),
        }
    )


def test_good_bar_features_pass() -> None:
    rows = feature_rows([1.5, 2.0], [-120, -60], ["BTCUSDT", "BTCUSDT"])
    verdict = quality.validate(rows, quality.bar_feature_suite(time.time_ns()))
    assert verdict.success, verdict.failed


def test_zero_volume_a_future_bar_and_a_repeated_row_fail_by_name() -> None:
    rows = feature_rows([0.0, 2.0, 2.0, 1.0], [-60, -30, -30, 3600], ["A", "B", "B", "C"])
    verdict = quality.validate(rows, quality.bar_feature_suite(time.time_ns()))
    assert not verdict.success
    assert set(verdict.failed) == {
        "expect_column_values_to_be_between(volume)",
        "expect_column_values_to_be_between(event_timestamp)",
        "expect_compound_columns_to_be_unique(['symbol', 'event_timestamp'])",
    }
