"""Entities, sources, feature views and feature services, built for one settings object.

Paths follow the settings (the lake), so the objects are made by :func:`definitions` rather
than at import time. Stream views read a push source that wraps a Parquet source of the lake:
the stream and the backfill share one schema.
"""

from __future__ import annotations

from datetime import timedelta

from feast import Entity, FeatureService, FeatureView, Field, FileSource, PushSource, ValueType
from feast.types import Float64, Int64

from xi.settings import Settings

account = Entity(
    name="account",
    join_keys=["account"],
    value_type=ValueType.INT64,
    description="a trading account",
)
symbol = Entity(
    name="symbol", join_keys=["symbol"], value_type=ValueType.STRING, description="a market"
)
learner = Entity(
    name="learner",
    join_keys=["learner"],
    value_type=ValueType.INT64,
    description="a learner of the course",
)

SYMBOL_MARKET_PUSH = "symbol_market_push"


def definitions(settings: Settings) -> list[object]:
    """Everything ``FeatureStore.apply`` registers."""
    symbol_market_source = FileSource(
        name="symbol_market_1m_source",
        path=str(settings.lake_dir / "features" / "symbol_market_1m"),
        timestamp_field="event_timestamp",
    )
    symbol_market_push = PushSource(name=SYMBOL_MARKET_PUSH, batch_source=symbol_market_source)
    # As of its last trade, the symbol's current one-minute bar (prices in the quote asset).
    symbol_market_1m = FeatureView(
        name="symbol_market_1m",
        entities=[symbol],
        ttl=timedelta(hours=1),
        schema=[
            Field(name="close", dtype=Float64),
            Field(name="vwap", dtype=Float64),
            Field(name="volume", dtype=Float64),
            Field(name="trade_count", dtype=Int64),
        ],
        online=True,
        source=symbol_market_push,
        tags={"team": "market-data"},
    )
    market = FeatureService(
        name="market_v1", features=[symbol_market_1m], tags={"use": "surveillance, risk"}
    )
    return [account, symbol, learner, symbol_market_push, symbol_market_1m, market]
