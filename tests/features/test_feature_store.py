"""The Feast repository: applies, serves pushed bars online, and is point-in-time correct."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from feast import FeatureStore

from features.store import apply
from pipelines.bars import Bar
from pipelines.feature_push import push_minute_bars
from xi.settings import Settings

MINUTE_NS = 60 * 1_000_000_000
T0 = pd.Timestamp("2026-01-01 10:00:00", tz="UTC").value


@pytest.fixture
def scratch(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={"lake_dir": tmp_path / "lake", "feast_dir": tmp_path / "feast"}
    )


@pytest.fixture
def store(scratch: Settings) -> FeatureStore:
    return apply(scratch)


def bar(symbol: str, start_ns: int, last_ts_ns: int, close: str, trade_count: int) -> Bar:
    price = Decimal(close)
    return Bar(
        symbol=symbol,
        interval="1m",
        start_ns=start_ns,
        open=price,
        high=price,
        low=price,
        close=price,
        volume=Decimal(trade_count),
        vwap=price,
        trade_count=trade_count,
        last_ts_ns=last_ts_ns,
        ticks={},
    )


def online(store: FeatureStore, symbols: list[str]) -> dict[str, list]:
    return store.get_online_features(
        features=store.get_feature_service("market_v1"),
        entity_rows=[{"symbol": symbol} for symbol in symbols],
    ).to_dict()


def test_the_online_store_serves_each_symbols_newest_bar(store: FeatureStore) -> None:
    pushed: dict[str, tuple[int, int]] = {}
    first = [bar("BTCUSDT", T0, T0 + 5, "100.5", 3), bar("ETHUSDT", T0, T0 + 7, "7", 1)]
    push_minute_bars(store, first, pushed)
    # One batch updates two minutes of BTCUSDT: the newer minute is served.
    push_minute_bars(
        store,
        [
            bar("BTCUSDT", T0, T0 + 9, "101", 4),
            bar("BTCUSDT", T0 + MINUTE_NS, T0 + MINUTE_NS + 1, "102.25", 1),
        ],
        pushed,
    )
    # A late trade updates the older minute afterwards: it does not replace the newer one.
    push_minute_bars(store, [bar("BTCUSDT", T0, T0 + 2, "99", 5)], pushed)

    values = online(store, ["BTCUSDT", "ETHUSDT", "SOLUSDT"])

    assert values["close"] == [102.25, 7.0, None]
    assert values["trade_count"] == [1, 1, None]


def test_historical_features_never_take_a_value_from_after_the_event(
    store: FeatureStore, scratch: Settings
) -> None:
    history = pd.DataFrame(
        {
            "symbol": ["BTCUSDT", "BTCUSDT"],
            "event_timestamp": pd.to_datetime([T0, T0 + 30 * 10**9], utc=True),
            "close": [100.0, 110.0],
            "vwap": [100.0, 110.0],
            "volume": [1.0, 1.0],
            "trade_count": [1, 2],
        }
    )
    source = scratch.lake_dir / "features" / "symbol_market_1m"
    source.mkdir(parents=True)
    history.to_parquet(source / "part-0.parquet")
    at = pd.to_datetime([T0 - 1, T0 + 29 * 10**9, T0 + 30 * 10**9], utc=True)
    events = pd.DataFrame({"symbol": ["BTCUSDT"] * 3, "event_timestamp": at})

    frame = store.get_historical_features(
        entity_df=events, features=["symbol_market_1m:close"]
    ).to_df()
    close = dict(zip(frame["event_timestamp"], frame["close"], strict=True))

    assert close[at[1]] == 100.0  # the 110 written a second later does not leak back
    assert close[at[2]] == 110.0
    assert pd.isna(close.get(at[0]))  # nothing was known before the first bar
