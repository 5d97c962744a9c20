"""A nightly recomputation, so that late trades of the day reach the bars and the store."""

from __future__ import annotations

import dagster as dg

from dagster_project.jobs import lake_to_features

nightly_backfill = dg.ScheduleDefinition(
    name="nightly_backfill",
    job=lake_to_features,
    cron_schedule="15 0 * * *",
    execution_timezone="UTC",
)
