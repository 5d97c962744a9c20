"""The code location: ``dagster dev -m dagster_project`` serves ``defs``."""

from __future__ import annotations

import dagster as dg

from dagster_project.assets import feature_store, lake, market
from dagster_project.checks import lake_trades_expectations, symbol_market_1m_expectations
from dagster_project.jobs import lake_to_features
from dagster_project.resources import PlatformResource
from dagster_project.schedules import nightly_backfill
from dagster_project.sensors import new_lake_partitions

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([lake, market, feature_store]),
    asset_checks=[lake_trades_expectations, symbol_market_1m_expectations],
    jobs=[lake_to_features],
    schedules=[nightly_backfill],
    sensors=[new_lake_partitions],
    resources={"platform": PlatformResource()},
)
