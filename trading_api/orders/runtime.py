"""The order path's moving parts, started and stopped with the application."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from psycopg_pool import ConnectionPool
from redis import Redis

from trading_api.orders.consumer import ExecutionsConsumer, Waiters
from trading_api.orders.service import OrderService
from xi import markets
from xi.settings import Settings

READY_TIMEOUT_S = 60.0


class OrdersNotReady(RuntimeError):
    pass


@contextmanager
def order_path(settings: Settings, pool: ConnectionPool, redis: Redis) -> Iterator[OrderService]:
    """The order service, with the engine's symbols listed and the executions reader running.

    The reader has its partitions and start offsets before the first order can be sent, so no
    report of this deployment's orders is missed.
    """
    known = markets.load(settings.markets_file)
    waiters = Waiters()
    service = OrderService(settings, pool, redis, known, waiters)
    consumer = ExecutionsConsumer(settings, pool, known, waiters, redis)
    consumer.start()
    try:
        service.list_symbols()
        if not consumer.ready.wait(READY_TIMEOUT_S):
            raise OrdersNotReady("the executions reader got no partitions of executions.v1")
        yield service
    finally:
        consumer.stop()
        consumer.join(timeout=10)
        service.close()
