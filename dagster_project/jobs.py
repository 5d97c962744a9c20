"""The job that refreshes everything from the lake: trades, bars, Feast."""

from __future__ import annotations

import dagster as dg

lake_to_features = dg.define_asset_job(
    "lake_to_features", selection=dg.AssetSelection.all(), description="lake -> bars -> Feast"
)
