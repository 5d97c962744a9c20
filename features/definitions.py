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
ACCOUNT_ACTIVITY_PUSH = "account_activity_push"
# The lake folders of the feature rows, under XI_LAKE_DIR.
SYMBOL_MARKET_TABLE = "features/symbol_market_1m"
ACCOUNT_ACTIVITY_TABLE = "features/account_activity"


def definitions(settings: Settings) -> list[object]:
    """Everything ``FeatureStore.apply`` registers."""
    symbol_market_source = FileSource(
        name="symbol_market_1m_source",
        path=str(settings.lake_dir / SYMBOL_MARKET_TABLE),
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
    account_activity_source = FileSource(
        name="account_activity_source",
        path=str(settings.lake_dir / ACCOUNT_ACTIVITY_TABLE),
        timestamp_field="event_timestamp",
    )
    account_activity_push = PushSource(
        name=ACCOUNT_ACTIVITY_PUSH, batch_source=account_activity_source
    )
    # An account's activity in one symbol over a tumbling window (pipelines/account_features.py):
    # online, the current window as of its latest event; in the lake, each closed window.
    account_activity = FeatureView(
        name="account_activity",
        entities=[account, symbol],
        ttl=timedelta(hours=1),
        schema=[
            Field(name="new_orders", dtype=Int64),
            Field(name="cancels", dtype=Int64),
            Field(name="fills", dtype=Int64),
            Field(name="order_to_trade_ratio", dtype=Float64),
            Field(name="cancel_rate", dtype=Float64),
            Field(name="traded_lots", dtype=Int64),
            Field(name="self_matched_lots", dtype=Int64),
            Field(name="share_of_volume", dtype=Float64),
            Field(name="counterparty_hhi", dtype=Float64),
            Field(name="counterparties", dtype=Int64),
        ],
        online=True,
        source=account_activity_push,
        tags={"team": "surveillance"},
    )
    surveillance = FeatureService(
        name="surveillance_v1",
        features=[account_activity, symbol_market_1m],
        tags={"use": "surveillance"},
    )
    return [
        account,
        symbol,
        learner,
        symbol_market_push,
        symbol_market_1m,
        market,
        account_activity_push,
        account_activity,
        surveillance,
    ]
