"""The code location loads: every asset, check, job, schedule and sensor resolves."""

from __future__ import annotations

import dagster as dg

from dagster_project import defs


def test_the_code_location_loads_with_its_job_schedule_and_sensor() -> None:
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("lake_to_features")
    assert defs.resolve_schedule_def("nightly_backfill").job_name == job.name
    assert defs.resolve_sensor_def("new_lake_partitions").job_name == job.name
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {"lake_trades", "symbol_market_1m", "feast_registry", "symbol_market_online"}
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert checks == {"lake_trades_expectations", "symbol_market_1m_expectations"}
