"""Traders talking to the API as Binance clients do: signed, form-encoded requests."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import httpx
import psycopg

from trading_api import signing
from trading_api.auth import Role, SecretBox, create_account, issue_api_key
from xi import markets
from xi.markets import Market
from xi.settings import Settings


def market_of(settings: Settings, base: str) -> Market:
    """The symbol of ``settings`` that trades ``base``."""
    found = markets.load(settings.markets_file).symbols.values()
    return next(m for m in found if m.base.code == base)


@dataclass
class Trader:
    client: httpx.Client  # a TestClient, or a client of an API process
    account_id: int
    api_key: str
    secret: str

    def signed(
        self, method: str, path: str, params: dict[str, str] | None = None
    ) -> httpx.Response:
        query = urlencode(
            {**(params or {}), "timestamp": int(time.time() * 1000), "nonce": uuid.uuid4().hex}
        )
        query += f"&signature={signing.sign(self.secret, query)}"
        headers = {"X-MBX-APIKEY": self.api_key}
        if method in ("POST", "DELETE"):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.client.request(method, path, content=query, headers=headers)
        return self.client.request(method, f"{path}?{query}", headers=headers)

    def balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        body = self.signed("GET", "/api/v3/account").json()
        return {b["asset"]: (Decimal(b["free"]), Decimal(b["locked"])) for b in body["balances"]}


def new_trader(client: httpx.Client, settings: Settings, role: Role = Role.TRADER) -> Trader:
    box = SecretBox(settings.secret_key.get_secret_value())
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        account = create_account(conn, name=f"{role}-{uuid.uuid4().hex[:10]}", role=role)
        issued = issue_api_key(conn, box, account_id=account)
    return Trader(client, account, issued.api_key, issued.secret)


def deposit(admin: Trader, account_id: int, **amounts: str) -> None:
    """Credit ``asset=amount`` pairs to an account through the admin endpoint."""
    for asset, amount in amounts.items():
        response = admin.signed(
            "POST",
            "/admin/v1/deposit",
            {
                "accountId": str(account_id),
                "asset": asset,
                "amount": amount,
                "reference": uuid.uuid4().hex,
            },
        )
        assert response.status_code == 200, response.text
