"""Clients of the stack's servers, built from the settings: one place for connection details."""

from __future__ import annotations

from elasticsearch import Elasticsearch
from influxdb_client import InfluxDBClient
from kafka import KafkaAdminClient
from psycopg import Connection
from redis import Redis

from xi.settings import Settings


def kafka_admin(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, client_id="xi-admin", request_timeout_ms=5000
    )


def postgres(settings: Settings, *, connect_timeout: int = 5) -> Connection:
    return Connection.connect(settings.postgres_dsn, connect_timeout=connect_timeout)


def redis(settings: Settings) -> Redis:
    return Redis.from_url(settings.redis_url, socket_timeout=5)


def influxdb(settings: Settings) -> InfluxDBClient:
    return InfluxDBClient(
        url=settings.influxdb_url,
        token=settings.influxdb_token.get_secret_value(),
        org=settings.influxdb_org,
        timeout=10_000,
    )


def elasticsearch(settings: Settings) -> Elasticsearch:
    return Elasticsearch(settings.elasticsearch_url, request_timeout=10)
