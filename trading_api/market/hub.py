"""Fan-out of stream events to WebSocket subscribers, fed from the market data threads.

Stream keys are Binance's stream names in lower case without the update-speed suffix
(``btcusdt@trade``, ``btcusdt@depth``, ``btcusdt@depth5``). A subscriber that falls
``QUEUE_SIZE`` events behind is marked lagging and disconnected, as Binance does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

QUEUE_SIZE = 1000
Payload = dict[str, Any]


class Subscriber:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, Payload]] = asyncio.Queue(QUEUE_SIZE)
        self.lagging = False

    def offer(self, key: str, payload: Payload) -> None:
        try:
            self.queue.put_nowait((key, payload))
        except asyncio.QueueFull:
            self.lagging = True


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._subscribers: dict[str, set[Subscriber]] = {}

    def subscribe(self, key: str, subscriber: Subscriber) -> None:
        self._subscribers.setdefault(key, set()).add(subscriber)

    def unsubscribe(self, key: str, subscriber: Subscriber) -> None:
        subscribers = self._subscribers.get(key, set())
        subscribers.discard(subscriber)
        if not subscribers:
            self._subscribers.pop(key, None)

    def wanted(self, key: str) -> bool:
        """Whether anyone listens to ``key`` (a hint read from the feed threads)."""
        return key in self._subscribers

    def publish(self, key: str, build: Callable[[], Payload]) -> None:
        """Deliver ``build()`` to the subscribers of ``key``; safe to call from any thread."""
        if self.wanted(key):
            self._loop.call_soon_threadsafe(self._deliver, key, build)

    def _deliver(self, key: str, build: Callable[[], Payload]) -> None:
        subscribers = self._subscribers.get(key)
        if not subscribers:
            return
        payload = build()
        for subscriber in list(subscribers):
            subscriber.offer(key, payload)
