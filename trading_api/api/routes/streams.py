"""Binance-style WebSocket streams.

- ``/ws/<stream>``: one raw stream; ``/stream?streams=<a>/<b>``: several, each event wrapped
  as ``{"stream": name, "data": event}``. Streams: ``<symbol>@trade``, ``<symbol>@aggTrade``,
  ``<symbol>@depth`` (diff depth, chained by U = previous u + 1) and ``<symbol>@depth<5|10|20>``
  (partial book), each optionally with ``@100ms`` or ``@1000ms``; events are pushed as the
  engine reports them. On any connection, ``{"method": "SUBSCRIBE" | "UNSUBSCRIBE" |
  "LIST_SUBSCRIPTIONS", "params": [...], "id": n}`` changes the streams, as on Binance.
- ``/ws/<listenKey>``: the key owner's own events from Redis channel ``user:{account_id}``
  (executionReport, outboundAccountPosition), then ``listenKeyExpired`` when the key ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from trading_api import user_stream
from trading_api.market.hub import Hub, Subscriber
from xi import markets

router = APIRouter(tags=["streams"])

STREAM_NAME = re.compile(
    r"^(?P<symbol>[a-z0-9\-_.]{1,20})@(?P<kind>trade|aggTrade|depth|depth5|depth10|depth20)"
    r"(@100ms|@1000ms)?$"
)
MAX_STREAMS = 1024  # per connection, as on Binance
POLICY_VIOLATION = 1008
LISTEN_KEY_CHECK_S = 5.0


def stream_key(name: str) -> str | None:
    """The hub key of a stream name, or None if it names no stream of a listed symbol."""
    match = STREAM_NAME.match(name)
    if match is None or match["symbol"].upper() not in markets.load().symbols:
        return None
    return f"{match['symbol']}@{match['kind']}"


class StreamSession:
    """One connection's subscriptions and its two loops: events out, control messages in."""

    def __init__(self, websocket: WebSocket, hub: Hub, combined: bool) -> None:
        self.websocket, self.hub, self.combined = websocket, hub, combined
        self.subscriber = Subscriber()
        self.names: dict[str, str] = {}  # hub key -> the name the client used

    def subscribe(self, names: list[str]) -> list[str]:
        """Subscribe to every valid name; return the invalid ones (nothing changes then)."""
        keys = {name: stream_key(name) for name in names}
        invalid = [name for name, key in keys.items() if key is None]
        if invalid or len(self.names) + len(keys) > MAX_STREAMS:
            return invalid or names
        for name, key in keys.items():
            assert key is not None
            self.names[key] = name
            self.hub.subscribe(key, self.subscriber)
        return []

    def unsubscribe(self, names: list[str]) -> None:
        for name in names:
            key = stream_key(name)
            if key is not None and self.names.pop(key, None) is not None:
                self.hub.unsubscribe(key, self.subscriber)

    def close(self) -> None:
        self.unsubscribe(list(self.names.values()))

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._send_events()), asyncio.create_task(self._control())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            self.close()

    async def _send_events(self) -> None:
        while True:
            key, payload = await self.subscriber.queue.get()
            if self.subscriber.lagging:
                await self.websocket.close(POLICY_VIOLATION, "client too slow")
                return
            name = self.names.get(key)
            if name is None:
                continue
            event = {"stream": name, "data": payload} if self.combined else payload
            await self.websocket.send_text(json.dumps(event, separators=(",", ":")))

    async def _control(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                reply = self._answer(await self.websocket.receive_text())
                await self.websocket.send_text(json.dumps(reply, separators=(",", ":")))

    def _answer(self, text: str) -> dict[str, Any]:
        try:
            request = json.loads(text)
            method, ident = request["method"], request.get("id")
            params = request.get("params", [])
            assert isinstance(params, list) and all(isinstance(p, str) for p in params)
        except (ValueError, KeyError, TypeError, AssertionError):
            return {"error": {"code": 3, "msg": "Invalid JSON: expected method, params, id"}}
        if method == "SUBSCRIBE":
            invalid = self.subscribe(params)
            if invalid:
                msg = f"Invalid request: unknown stream(s) {', '.join(invalid[:5])}"
                return {"error": {"code": 2, "msg": msg}, "id": ident}
            return {"result": None, "id": ident}
        if method == "UNSUBSCRIBE":
            self.unsubscribe(params)
            return {"result": None, "id": ident}
        if method == "LIST_SUBSCRIPTIONS":
            return {"result": sorted(self.names.values()), "id": ident}
        return {
            "error": {"code": 2, "msg": f"Invalid request: unknown method {method}"},
            "id": ident,
        }


async def _serve_streams(websocket: WebSocket, names: list[str], combined: bool) -> None:
    session = StreamSession(websocket, websocket.app.state.market.hub, combined)
    if session.subscribe(names):
        await websocket.close(POLICY_VIOLATION, "unknown stream")
        return
    await websocket.accept()
    await session.run()


@router.websocket("/ws")
async def bare_stream(websocket: WebSocket) -> None:
    """A connection without streams; the client subscribes with SUBSCRIBE."""
    await _serve_streams(websocket, [], combined=False)


@router.websocket("/stream")
async def combined_stream(websocket: WebSocket) -> None:
    names = [n for n in websocket.query_params.get("streams", "").split("/") if n]
    await _serve_streams(websocket, names, combined=True)


@router.websocket("/ws/{name}")
async def raw_stream(websocket: WebSocket, name: str) -> None:
    if "@" in name:
        await _serve_streams(websocket, [name], combined=False)
    else:
        await _serve_user_stream(websocket, name)


async def _serve_user_stream(websocket: WebSocket, listen_key: str) -> None:
    settings = websocket.app.state.settings
    account_id = user_stream.owner(websocket.app.state.redis, listen_key)
    if account_id is None:
        await websocket.close(POLICY_VIOLATION, "This listenKey does not exist.")
        return
    redis = Redis.from_url(settings.redis_url)
    pubsub = redis.pubsub()
    await pubsub.subscribe(user_stream.channel(account_id))
    await websocket.accept()
    relay = asyncio.create_task(_relay(websocket, redis, pubsub, listen_key))
    try:
        await _until_disconnect(websocket, relay)
    finally:
        relay.cancel()
        await pubsub.aclose()
        await redis.aclose()


async def _relay(websocket: WebSocket, redis: Redis, pubsub: PubSub, listen_key: str) -> None:
    """Forward the account's events until the key is closed or expires."""
    next_check = 0.0
    while True:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        if message is not None:
            await websocket.send_text(message["data"].decode())
        if time.monotonic() >= next_check:
            next_check = time.monotonic() + LISTEN_KEY_CHECK_S
            if not await redis.exists(user_stream.redis_key(listen_key)):
                expired = {
                    "e": "listenKeyExpired",
                    "E": int(time.time() * 1000),
                    "listenKey": listen_key,
                }
                await websocket.send_text(json.dumps(expired))
                await websocket.close()
                return


async def _until_disconnect(websocket: WebSocket, relay: asyncio.Task[None]) -> None:
    receive = asyncio.create_task(websocket.receive_text())
    try:
        while not relay.done():
            done, _ = await asyncio.wait({receive, relay}, return_when=asyncio.FIRST_COMPLETED)
            if receive in done:
                if receive.exception() is not None:
                    return
                receive = asyncio.create_task(websocket.receive_text())
    finally:
        receive.cancel()
