"""Spark jobs that turn the engine's topics into InfluxDB series and a Parquet lake."""
