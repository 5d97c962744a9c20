"""Pushing the stream's newest values to the Feast online store as they update.

The online store keeps the last value pushed, whatever its time: a late event updating an
older window must not replace the current one. So only a value at least as recent as the last
one pushed for its key goes out; what was pushed is part of the job's saved state, so this
holds across restarts too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, MutableMapping

import pandas as pd
from feast import FeatureStore
from feast.data_source import PushMode

from features.definitions import ACCOUNT_ACTIVITY_PUSH, SYMBOL_MARKET_PUSH
from pipelines import account_features
from pipelines.account_features import Activity, WindowKey
from pipelines.bars import Bar


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


def push_minute_bars(
    store: FeatureStore, bars: Iterable[Bar], pushed: MutableMapping[str, tuple[int, int]]
) -> None:
    """Push each symbol's newest one-minute bar among ``bars`` unless an older one."""
    latest: dict[str, Bar] = {}
    for bar in bars:
        newest = latest.get(bar.symbol)
        if bar.interval == "1m" and (newest is None or _recency(bar) > _recency(newest)):
            latest[bar.symbol] = bar
    fresh = [bar for symbol, bar in latest.items() if _recency(bar) >= pushed.get(symbol, (0, 0))]
    if not fresh:
        return
    store.push(SYMBOL_MARKET_PUSH, symbol_market_rows(fresh), to=PushMode.ONLINE)
    pushed.update({bar.symbol: _recency(bar) for bar in fresh})


def push_account_activity(
    store: FeatureStore,
    found: Activity,
    updated: Iterable[WindowKey],
    window_ns: int,
    pushed: MutableMapping[tuple[int, str], int],
) -> None:
    """Push each (account, symbol)'s newest updated window unless an older one."""
    latest: dict[tuple[int, str], int] = {}
    for account, symbol, start_ns in updated:
        latest[(account, symbol)] = max(start_ns, latest.get((account, symbol), start_ns))
    fresh = [(*key, start) for key, start in latest.items() if start >= pushed.get(key, 0)]
    if not fresh:
        return
    rows = account_features.feature_rows(found, fresh, window_ns, as_of="last")
    # The window's start is a lake column; the view serves the features as of the push.
    rows = rows.drop(columns=["window_start"])
    store.push(ACCOUNT_ACTIVITY_PUSH, rows, to=PushMode.ONLINE)
    pushed.update({(account, symbol): start for account, symbol, start in fresh})
