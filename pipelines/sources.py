"""Reading the engine's topics: Kafka records parsed by the topic's own JSON Schema contract."""

from __future__ import annotations

from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, LongType, StringType, StructField, StructType

from xi import contracts, topics
from xi.settings import Settings


def _spark_type(spec: dict[str, Any], defs: dict[str, Any]) -> DataType:
    if "$ref" in spec:
        spec = defs[spec["$ref"].rsplit("/", 1)[1]]
    if "enum" in spec or spec.get("type") == "string":
        return StringType()
    if spec.get("type") == "integer":
        # u64 ids and sequence numbers stay below 2**63 in practice; a larger one reads as null
        # and the record is refused with the malformed ones.
        return LongType()
    raise ValueError(f"no Spark type for contract field {spec}")


def contract_schema(topic: str) -> StructType:
    """The Spark schema of a topic's messages, derived from its JSON Schema file."""
    schema = contracts.schema(topic)
    defs = schema.get("$defs", {})
    return StructType(
        [
            StructField(name, _spark_type(spec, defs), nullable=name not in schema["required"])
            for name, spec in schema["properties"].items()
        ]
    )


def _complete(schema: StructType) -> Column:
    """True for a record that has every required field (a malformed one parses to nulls)."""
    checks = [F.col(field.name).isNotNull() for field in schema.fields if not field.nullable]
    condition = checks[0]
    for check in checks[1:]:
        condition = condition & check
    return condition


def read_topic(spark: SparkSession, settings: Settings, topic: str) -> DataFrame:
    """A stream of one engine topic's well-formed messages with their Kafka position."""
    schema = contract_schema(topic)
    raw = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", settings.kafka_bootstrap)
        .option("subscribe", f"{settings.pipelines_topic_prefix}{topic}")
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "true")
        .option("maxOffsetsPerTrigger", settings.pipelines_max_offsets_per_trigger)
        .load()
    )
    parsed = raw.select(
        F.from_json(F.col("value").cast("string"), schema).alias("message"),
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
    ).select("message.*", "kafka_partition", "kafka_offset")
    return parsed.where(_complete(schema))


def event_time() -> Column:
    """A trade's ``ts_ns`` as a timestamp: the time of the command that caused the trade."""
    # Integer division: through a double, a time near a second's edge could cross it.
    return F.timestamp_micros(F.expr("ts_ns div 1000"))


def read_trades(spark: SparkSession, settings: Settings) -> DataFrame:
    """``trades.v1`` with ``event_time``."""
    return read_topic(spark, settings, topics.TRADES).withColumn("event_time", event_time())
