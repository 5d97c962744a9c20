"""The platform's settings and Spark session as a Dagster resource."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pyspark.sql import SparkSession

from pipelines.spark_session import spark_session
from xi.settings import Settings


class PlatformResource(dg.ConfigurableResource):
    """The ``XI_*`` settings, with the lake and the Feast folder overridable per deployment."""

    lake_dir: str | None = None
    feast_dir: str | None = None

    def settings(self) -> Settings:
        base = Settings()
        overrides = {
            name: Path(value)
            for name, value in (("lake_dir", self.lake_dir), ("feast_dir", self.feast_dir))
            if value is not None
        }
        return base.model_copy(update=overrides)

    def spark(self) -> SparkSession:
        return spark_session(self.settings(), app_name="xi-dagster")
