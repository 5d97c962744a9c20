"""Request limits: Binance's request weight per client IP and minute, and a body size cap.

Each endpoint declares its weight (`weight(n)`, or `charge` for a weight that depends on the
parameters). Weights add up in Redis per IP and minute, so every API instance behind a load
balancer counts against the same limit; the used weight goes back in ``X-MBX-USED-WEIGHT-1M``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trading_api.errors import TOO_LARGE, TOO_MANY_REQUESTS, ApiError

WINDOW_S = 60


def charge(request: Request, weight: int) -> None:
    """Add ``weight`` to the caller's minute; refuse the request past the limit (429, -1003)."""
    settings = request.app.state.settings
    limit = settings.api_request_weight_per_minute
    host = request.client.host if request.client else "unknown"
    key = f"{settings.api_weight_key_prefix}:{host}:{int(time.time()) // WINDOW_S}"
    pipe = request.app.state.redis.pipeline()
    pipe.incrby(key, weight)
    pipe.expire(key, WINDOW_S)
    used, _ = pipe.execute()
    request.state.used_weight = int(used)
    if used > limit:
        raise ApiError(
            429,
            TOO_MANY_REQUESTS,
            f"Too much request weight used; current limit is {limit} request weight per 1 "
            "MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
        )


def weight(amount: int) -> Any:
    """A route dependency that charges a fixed weight."""

    def charge_fixed(request: Request) -> None:
        charge(request, amount)

    return Depends(charge_fixed)


class RequestLimits:
    """ASGI middleware: refuses bodies over ``max_body_bytes`` (413) and reports used weight."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_body_bytes:
            await self._too_large(send)
            return
        # The body is read in full first (it is small, or refused), so a handler that never
        # reads it cannot let an oversized one through.
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body_bytes:
                await self._too_large(send)
                return
        replayed = False

        async def replay_receive() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def send_with_weight(message: Message) -> None:
            if message["type"] == "http.response.start":
                used = scope.get("state", {}).get("used_weight")
                if used is not None:
                    value = str(used).encode()
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"x-mbx-used-weight", value),
                        (b"x-mbx-used-weight-1m", value),
                    ]
            await send(message)

        await self.app(scope, replay_receive, send_with_weight)

    async def _too_large(self, send: Send) -> None:
        body = json.dumps(
            {
                "code": TOO_LARGE,
                "msg": f"Request body too large: at most {self.max_body_bytes} bytes.",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
