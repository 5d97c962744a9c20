"""The trader's account (Binance's GET /api/v3/account) and the admin's deposits and withdrawals."""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request

from trading_api.api.deps import DbDep, ParamsDep, SignedAdminDep, SignedTraderDep
from trading_api.errors import BAD_PARAMETER, NOT_FOUND, ApiError
from trading_api.ledger import operations as ops
from trading_api.ledger.journal import LedgerError, balances
from trading_api.orders.wire import amount
from xi.markets import BPS, Markets

router = APIRouter(tags=["account"])


def _markets(request: Request) -> Markets:
    return request.app.state.orders.markets


@router.get("/api/v3/account")
def account(request: Request, conn: DbDep, trader: SignedTraderDep) -> dict[str, Any]:
    """Balances from the ledger: free, and locked by open orders.

    Fees are per symbol here (exchangeInfo's makerFeeBps/takerFeeBps); the account-level
    commissions Binance reports are the lowest of them, in basis points as Binance gives them.
    """
    known = _markets(request)
    maker = min(m.maker_fee_bps for m in known.symbols.values())
    taker = min(m.taker_fee_bps for m in known.symbols.values())
    return {
        "makerCommission": maker,
        "takerCommission": taker,
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": format(maker / BPS, "f"),
            "taker": format(taker / BPS, "f"),
            "buyer": "0",
            "seller": "0",
        },
        "canTrade": True,
        "canWithdraw": True,
        "canDeposit": True,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": int(time.time() * 1000),
        "accountType": "SPOT",
        "balances": [
            {
                "asset": b.asset,
                "free": amount(b.free, known.assets[b.asset]),
                "locked": amount(b.locked, known.assets[b.asset]),
            }
            for b in balances(conn, trader.account_id).values()
        ],
        "permissions": ["SPOT"],
        "uid": trader.account_id,
    }


def _transfer(request: Request, conn: DbDep, params: dict[str, str], kind: str) -> dict[str, Any]:
    """Move an amount between the outside world and an account, once per `reference`."""
    known = _markets(request)
    asset = known.assets.get(params.get("asset", ""))
    if asset is None:
        raise ApiError(400, NOT_FOUND, "Unknown asset.")
    try:
        account_id = int(params.get("accountId", ""))
        value = Decimal(params.get("amount", ""))
    except (ValueError, InvalidOperation):
        raise ApiError(400, BAD_PARAMETER, "accountId and amount must be numbers.") from None
    reference = params.get("reference", "")
    if not 1 <= len(reference) <= 64:
        raise ApiError(400, BAD_PARAMETER, "Mandatory parameter 'reference' (1..64 chars).")
    if not value.is_finite() or value.as_tuple().exponent < -asset.decimals:  # type: ignore[operator]
        raise ApiError(400, BAD_PARAMETER, f"amount must be a multiple of {asset.unit}.")
    move = ops.deposit if kind == "deposit" else ops.withdraw
    try:
        with conn.transaction():
            exists = conn.execute(
                "SELECT 1 FROM accounts WHERE id = %s AND role <> 'system'", (account_id,)
            ).fetchone()
            if exists is None:
                raise ApiError(400, NOT_FOUND, "Unknown account.")
            applied = move(
                conn, account_id=account_id, asset=asset.code, amount=value, reference=reference
            )
    except LedgerError as error:
        raise ApiError(400, BAD_PARAMETER, str(error)) from None
    return {"applied": applied, "reference": reference}


@router.post("/admin/v1/deposit")
def deposit(
    request: Request, conn: DbDep, _admin: SignedAdminDep, params: ParamsDep
) -> dict[str, Any]:
    """Credit an account (idempotent by `reference`)."""
    return _transfer(request, conn, params, "deposit")


@router.post("/admin/v1/withdraw")
def withdraw(
    request: Request, conn: DbDep, _admin: SignedAdminDep, params: ParamsDep
) -> dict[str, Any]:
    """Debit an account's free balance (idempotent by `reference`)."""
    return _transfer(request, conn, params, "withdrawal")


@router.post("/admin/v1/killSwitch")
def kill_switch(conn: DbDep, _admin: SignedAdminDep, params: ParamsDep) -> dict[str, Any]:
    """Stop (`enabled=true`) or allow again (`false`) an account's new orders."""
    enabled = {"true": True, "false": False}.get(params.get("enabled", ""))
    if enabled is None:
        raise ApiError(400, BAD_PARAMETER, "Mandatory parameter 'enabled' (true or false).")
    try:
        account_id = int(params.get("accountId", ""))
    except ValueError:
        raise ApiError(
            400, BAD_PARAMETER, "Mandatory parameter 'accountId' (an integer)."
        ) from None
    row = conn.execute(
        "UPDATE accounts SET kill_switch = %s WHERE id = %s AND role <> 'system' RETURNING id",
        (enabled, account_id),
    ).fetchone()
    if row is None:
        raise ApiError(400, NOT_FOUND, "Unknown account.")
    return {"accountId": account_id, "killSwitch": enabled}
