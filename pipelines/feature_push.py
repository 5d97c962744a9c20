"""Pushing each symbol's current one-minute bar to the Feast online store as it updates."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from feast.data_source import PushMode

from features.definitions import SYMBOL_MARKET_PUSH
from features.store import feature_store
from pipelines.bars import Bar
from xi.settings import Settings


def _recency(bar: Bar) -> tuple[int, int]:
    return bar.start_ns, bar.last_ts_ns


def symbol_market_rows(bars: Collection[Bar]) -> pd.DataFrame:
    """Rows of ``symbol_market_1m``, one per bar, as of the bar's last trade."""
    return pd.DataFrame(
        {
            "symbol": [bar.symbol for bar in bars],
            "event_timestamp": pd.to_datetime(
                [bar.last_ts_ns for bar in bars], unit="ns", utc=True
            ),
            "close": [float(bar.close) for bar in bars],
            "vwap": [float(bar.vwap) for bar in bars],
            "volume": [float(bar.volume) for bar in bars],
            "trade_count": [bar.trade_count for bar in bars],
        }
    )


class FeatureBarPush:
    """Pushes each symbol's newest one-minute bar of a micro-batch to the online store.

    The online store keeps the last value pushed, whatever its time; a late trade updating an
    older minute must not replace the current one, so only a bar at least as recent as the
    last one pushed for its symbol goes out.
    """

    def __init__(self, settings: Settings) -> None:
        self.store = feature_store(settings)
        self.pushed: dict[str, tuple[int, int]] = {}

    def __call__(self, bars: list[Bar], batch_id: int) -> None:
        latest: dict[str, Bar] = {}
        for bar in bars:
            newest = latest.get(bar.symbol)
            if newest is None or _recency(bar) > _recency(newest):
                latest[bar.symbol] = bar
        fresh = {
            symbol: bar
            for symbol, bar in latest.items()
            if _recency(bar) >= self.pushed.get(symbol, (0, 0))
        }
        if not fresh:
            return
        self.store.push(
            SYMBOL_MARKET_PUSH, symbol_market_rows(list(fresh.values())), to=PushMode.ONLINE
        )
        self.pushed.update({symbol: _recency(bar) for symbol, bar in fresh.items()})
