"""Clients of the stack's servers, built from the settings: one place for connection details.

Each client library is imported when its client is first made, so that a command which needs
one server does not pay for importing the libraries of all the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xi.settings import Settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from influxdb_client import InfluxDBClient
    from kafka import KafkaAdminClient
    from psycopg import Connection
    from redis import Redis


def kafka_admin(settings: Settings) -> KafkaAdminClient:
    from kafka import KafkaAdminClient

    return KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, client_id="xi-admin", request_timeout_ms=5000
    )


def postgres(settings: Settings, *, connect_timeout: int = 5) -> Connection:
    from psycopg import Connection

    return Connection.connect(settings.postgres_dsn, connect_timeout=connect_timeout)


def redis(settings: Settings) -> Redis:
    from redis import Redis

    return Redis.from_url(settings.redis_url, socket_timeout=5)


def influxdb(settings: Settings) -> InfluxDBClient:
    from influxdb_client import InfluxDBClient

    return InfluxDBClient(
        url=settings.influxdb_url,
        token=settings.influxdb_token.get_secret_value(),
        org=settings.influxdb_org,
        timeout=10_000,
    )


def elasticsearch(settings: Settings) -> Elasticsearch:
    from elasticsearch import Elasticsearch

    return Elasticsearch(settings.elasticsearch_url, request_timeout=10)
