"""The Spark session of the pipelines: local mode, bounded memory, the Kafka connector loaded."""

from __future__ import annotations

from pyspark.sql import SparkSession

from xi.settings import Settings
from xi.stack.spark import kafka_connector_jars


def spark_session(settings: Settings, app_name: str = "xi-pipelines") -> SparkSession:
    """One session per process; the JVM starts with the first call and takes these settings."""
    jars = ",".join(str(jar) for jar in kafka_connector_jars(settings))
    session = (
        SparkSession.builder.appName(app_name)
        .master(settings.spark_master)
        .config("spark.driver.memory", settings.spark_driver_memory)
        .config("spark.sql.shuffle.partitions", settings.spark_shuffle_partitions)
        .config("spark.jars", jars)
        # Bars and partitions by date are in UTC whatever the machine's zone.
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        # Progress is the caller's to show (xi pipelines run); Spark's bars would garble it.
        .config("spark.ui.showConsoleProgress", "false")
        # The state of closed bars is dropped at once instead of kept for extra batches.
        .config("spark.sql.streaming.minBatchesToRetain", 10)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("WARN")
    return session
