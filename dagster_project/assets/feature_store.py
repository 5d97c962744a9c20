"""The Feast registry and the online store filled from the lake's feature rows."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from dagster_project.resources import PlatformResource
from features import store


@dg.asset(group_name="features", compute_kind="feast")
def feast_registry(platform: PlatformResource) -> dg.MaterializeResult:
    """The feature definitions applied to the registry (idempotent)."""
    applied = store.apply(platform.settings())
    views = sorted(view.name for view in applied.list_feature_views())
    return dg.MaterializeResult(metadata={"feature_views": dg.MetadataValue.json(views)})


@dg.asset(group_name="features", compute_kind="feast", deps=[feast_registry])
def symbol_market_online(
    symbol_market_1m: pd.DataFrame, platform: PlatformResource
) -> dg.MaterializeResult:
    """The newest minute bar of each symbol in the online store."""
    if symbol_market_1m.empty:
        return dg.MaterializeResult(metadata={"materialised": 0})
    # The end bound is exclusive: one nanosecond past the newest row keeps it in.
    start = symbol_market_1m["event_timestamp"].min().to_pydatetime()
    end = (symbol_market_1m["event_timestamp"].max() + pd.Timedelta(1, "us")).to_pydatetime()
    store.feature_store(platform.settings()).materialize(
        start_date=start, end_date=end, feature_views=["symbol_market_1m"]
    )
    return dg.MaterializeResult(
        metadata={"materialised": int(symbol_market_1m["symbol"].nunique())}
    )
