"""A run whenever the streaming job opens a new lake partition (a new date or symbol)."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from dagster_project.jobs import lake_to_features
from dagster_project.resources import PlatformResource
from pipelines import lake


def lake_partitions(table: Path) -> list[str]:
    """The table's ``date=.../symbol=...`` folders, relative to it, sorted."""
    if not table.is_dir():
        return []
    return sorted(str(p.relative_to(table)) for p in table.glob("date=*/symbol=*") if p.is_dir())


@dg.sensor(job=lake_to_features, minimum_interval_seconds=60)
def new_lake_partitions(
    context: dg.SensorEvaluationContext, platform: PlatformResource
) -> dg.SensorResult | dg.SkipReason:
    table = lake.table_path(platform.settings(), lake.TRADES_TABLE)
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    found = lake_partitions(table)
    new = [partition for partition in found if partition not in seen]
    if not new:
        return dg.SkipReason(f"no new partition in {table}")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=",".join(new), tags={"partitions": ",".join(new)})],
        cursor=json.dumps(found),
    )
