"""The whole local stack: bring it up, take it down, tell how it is."""

from __future__ import annotations

from collections.abc import Callable

from xi.settings import Settings
from xi.stack.dagster import Dagster
from xi.stack.elasticsearch import Elasticsearch
from xi.stack.engine import Engine
from xi.stack.influxdb import InfluxDB
from xi.stack.kafka import Kafka
from xi.stack.model_server import ModelServer
from xi.stack.postgres import Postgres
from xi.stack.redis import Redis
from xi.stack.service import Service, ServiceStatus, StackError
from xi.stack.trading_api import TradingApi

SERVICE_TYPES: tuple[type[Service], ...] = (
    Kafka,
    Postgres,
    Redis,
    InfluxDB,
    Elasticsearch,
    ModelServer,
    TradingApi,
    Dagster,
    Engine,
)

Report = Callable[[str], None]


def services(settings: Settings, names: list[str] | None = None) -> list[Service]:
    chosen = [service_type(settings) for service_type in SERVICE_TYPES]
    if not names:
        return chosen
    known = [service.name for service in chosen]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise StackError(f"unknown service(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [service for service in chosen if service.name in names]


def install(settings: Settings, report: Report) -> None:
    for service in services(settings):
        report(f"installing {service.name}")
        service.install()


def up(settings: Settings, report: Report, names: list[str] | None = None) -> None:
    """Start what is not running and wait until everything answers; a no-op when all is well.

    Servers start together; the platform's own applications start once the servers answer.
    """
    chosen = services(settings, names)
    for tier in sorted({service.tier for service in chosen}):
        in_tier = [service for service in chosen if service.tier == tier]
        for service in in_tier:
            if service.pid() is None:
                report(f"starting {service.name}")
                service.start()
        for service in in_tier:
            report(f"waiting for {service.name}")
            service.wait_healthy()


def down(settings: Settings, report: Report, names: list[str] | None = None) -> None:
    for service in reversed(services(settings, names)):
        if service.pid() is not None:
            report(f"stopping {service.name}")
            service.stop()


def status(settings: Settings) -> list[ServiceStatus]:
    return [service.status() for service in services(settings)]


def by_name(settings: Settings, name: str) -> Service:
    return services(settings, [name])[0]
