"""Reading the engine's topics: one Kafka stream over several topics, parsed per topic.

The streaming job reads every topic it needs through one Kafka source, so each record is
fetched once per micro-batch; :func:`parse` then turns the batch's records of one topic into
that topic's columns, by the topic's own JSON Schema contract.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from xi import contracts
from xi.settings import Settings


def _spark_type(spec: dict[str, Any], defs: dict[str, Any]) -> DataType:
    if "$ref" in spec:
        spec = defs[spec["$ref"].rsplit("/", 1)[1]]
    if "oneOf" in spec:
        # A value or null (labels' owner): the type of the one that is not null.
        kinds = [s for s in spec["oneOf"] if s.get("type") != "null"]
        return _spark_type(kinds[0], defs)
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if "const" in spec:
        kind = {bool: "boolean", int: "integer", str: "string"}[type(spec["const"])]
    if "enum" in spec or kind == "string":
        return StringType()
    if kind == "integer":
        # u64 ids and sequence numbers stay below 2**63 in practice; a larger one reads as null
        # and the record is refused with the malformed ones.
        return LongType()
    if kind == "boolean":
        return BooleanType()
    if kind == "array":
        items = spec.get("items") or spec["prefixItems"][0]
        return ArrayType(_spark_type(items, defs), containsNull=False)
    raise ValueError(f"no Spark type for contract field {spec}")


def _allows_null(spec: dict[str, Any]) -> bool:
    kind = spec.get("type")
    return (
        (isinstance(kind, list) and "null" in kind)
        or None in spec.get("enum", [])
        or any(s.get("type") == "null" for s in spec.get("oneOf", []))
    )


def contract_schema(topic: str) -> StructType:
    """The Spark schema of a topic's messages, derived from its JSON Schema file.

    A topic with several kinds of message (``oneOf``, e.g. ``executions.v1``) gets every
    kind's fields; a field is required (checked for presence) when every kind requires it
    and it cannot be null.
    """
    schema = contracts.schema(topic)
    defs = schema.get("$defs", {})
    kinds = schema.get("oneOf", [schema])
    fields: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        for name, spec in kind["properties"].items():
            fields.setdefault(name, spec)
    required = set.intersection(*(set(kind["required"]) for kind in kinds))
    return StructType(
        [
            StructField(
                name,
                _spark_type(spec, defs),
                nullable=name not in required or _allows_null(spec),
            )
            for name, spec in fields.items()
        ]
    )


def _complete(schema: StructType) -> Column:
    """True for a record that has every required field (a malformed one parses to nulls)."""
    checks = [F.col(field.name).isNotNull() for field in schema.fields if not field.nullable]
    condition = checks[0]
    for check in checks[1:]:
        condition = condition & check
    return condition


def topic_name(settings: Settings, topic: str) -> str:
    return f"{settings.pipelines_topic_prefix}{topic}"


def read_topics(spark: SparkSession, settings: Settings, names: list[str]) -> DataFrame:
    """One stream of the raw records of several engine topics, with their Kafka position."""
    return (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", settings.kafka_bootstrap)
        .option("subscribe", ",".join(topic_name(settings, name) for name in names))
        # The engine writes in transactions: an aborted one must not count.
        .option("kafka.isolation.level", "read_committed")
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "true")
        .option("maxOffsetsPerTrigger", settings.pipelines_max_offsets_per_trigger)
        .load()
        .select(
            "topic",
            "value",
            F.col("partition").alias("kafka_partition"),
            F.col("offset").alias("kafka_offset"),
        )
    )


def _column(topic: str) -> str:
    return topic.replace(".", "_")


def parse_all(records: DataFrame, settings: Settings, names: list[str]) -> DataFrame:
    """Each record of :func:`read_topics` parsed by its own topic's contract, in one pass.

    One struct column per topic holds the message of a record of that topic (null for the
    others), so the batch's JSON is parsed once whatever reads it after.
    """
    value = F.col("value").cast("string")
    messages = [
        F.when(
            F.col("topic") == topic_name(settings, name), F.from_json(value, contract_schema(name))
        ).alias(_column(name))
        for name in names
    ]
    return records.select("topic", "kafka_partition", "kafka_offset", *messages)


def messages(parsed: DataFrame, settings: Settings, topic: str) -> DataFrame:
    """The well-formed messages of one topic in ``parsed`` (of :func:`parse_all`)."""
    return (
        parsed.where(F.col("topic") == topic_name(settings, topic))
        .select(f"{_column(topic)}.*", "kafka_partition", "kafka_offset")
        .where(_complete(contract_schema(topic)))
    )


def event_time() -> Column:
    """An event's ``ts_ns`` as a timestamp: the time of the command that caused it."""
    # Integer division: through a double, a time near a second's edge could cross it.
    return F.timestamp_micros(F.expr("ts_ns div 1000"))
