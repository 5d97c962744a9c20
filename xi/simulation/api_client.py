"""A small client of the trading API's Binance-style signed REST endpoints, and the translation
of engine commands (ticks, lots) into the API's parameters (decimal strings)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from trading_api.signing import sign
from xi.engine_client import Command
from xi.markets import Markets

API = "/api/v3"


class ApiRefused(RuntimeError):
    """The API answered with an error; the message carries its status, code and text."""

    def __init__(self, message: str, code: int | None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Credentials:
    account_id: int
    api_key: str
    secret: str


def order_params(command: Command, markets: Markets) -> dict[str, str]:
    """POST /api/v3/order parameters of a NEW_ORDER command (a LIMIT order)."""
    market = markets.market(command["symbol"])
    return {
        "symbol": command["symbol"],
        "side": command["side"],
        "type": command["order_type"],
        "timeInForce": command.get("time_in_force", "GTC"),
        "quantity": format(market.quantity(command["qty"]), "f"),
        "price": format(market.price(command["price"]), "f"),
        "newClientOrderId": command["command_id"],
        "selfTradePreventionMode": command["stp"],
    }


class SignedClient:
    def __init__(
        self, base_url: str, credentials: Credentials, *, recv_window_ms: int = 5_000
    ) -> None:
        self.credentials = credentials
        self.recv_window_ms = recv_window_ms
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def close(self) -> None:
        self.http.close()

    def signed_request(self, method: str, path: str, params: dict[str, str]) -> httpx.Request:
        """A SIGNED request: the parameters, timestamp and recvWindow in the query string, with
        their HMAC-SHA256 under the key's secret appended as `signature`."""
        query = urlencode(
            {
                **params,
                "timestamp": str(int(time.time() * 1000)),
                "recvWindow": str(self.recv_window_ms),
            }
        )
        signature = sign(self.credentials.secret, query)
        return self.http.build_request(
            method,
            f"{API}{path}?{query}&signature={signature}",
            headers={"X-MBX-APIKEY": self.credentials.api_key},
        )

    def _send(self, request: httpx.Request) -> Any:
        response = self.http.send(request)
        if response.status_code >= 400:
            try:
                code = int(response.json()["code"])
            except (ValueError, KeyError, TypeError):
                code = None
            raise ApiRefused(
                f"{request.method} {request.url.path} answered {response.status_code}: "
                f"{response.text[:300]}",
                code,
            )
        return response.json()

    def server_time(self) -> int:
        return int(self._send(self.http.build_request("GET", f"{API}/time"))["serverTime"])

    def new_order(self, params: dict[str, str]) -> Any:
        return self._send(self.signed_request("POST", "/order", params))

    def cancel_open_orders(self, symbol: str) -> Any:
        return self._send(self.signed_request("DELETE", "/openOrders", {"symbol": symbol}))
