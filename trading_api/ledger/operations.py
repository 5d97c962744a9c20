"""The ledger's operations, each one balanced journal entry with an idempotency reference."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from psycopg import Connection

from trading_api.ledger.journal import Bucket, LedgerError, Posting, post, system_account
from xi.markets import BPS, Asset, Market


def _positive(amount: Decimal) -> Decimal:
    if not amount.is_finite() or amount <= 0:
        raise LedgerError(f"amount must be a positive number, got {amount}")
    return amount


def _move(
    conn: Connection,
    kind: str,
    reference: str,
    asset: str,
    amount: Decimal,
    source: tuple[int, Bucket],
    target: tuple[int, Bucket],
) -> bool:
    """One positive amount of one asset from one balance bucket to another."""
    amount = _positive(amount)
    return post(
        conn,
        kind=kind,
        reference=f"{kind}:{reference}",
        postings=[
            Posting(source[0], asset, source[1], -amount),
            Posting(target[0], asset, target[1], amount),
        ],
    )


def deposit(
    conn: Connection, *, account_id: int, asset: str, amount: Decimal, reference: str
) -> bool:
    external = system_account(conn, "external")
    return _move(
        conn,
        "deposit",
        reference,
        asset,
        amount,
        (external, Bucket.FREE),
        (account_id, Bucket.FREE),
    )


def withdraw(
    conn: Connection, *, account_id: int, asset: str, amount: Decimal, reference: str
) -> bool:
    external = system_account(conn, "external")
    return _move(
        conn,
        "withdrawal",
        reference,
        asset,
        amount,
        (account_id, Bucket.FREE),
        (external, Bucket.FREE),
    )


def hold(conn: Connection, *, account_id: int, asset: str, amount: Decimal, reference: str) -> bool:
    """Move ``amount`` from free to locked for an open order."""
    return _move(
        conn,
        "hold",
        reference,
        asset,
        amount,
        (account_id, Bucket.FREE),
        (account_id, Bucket.LOCKED),
    )


def release(
    conn: Connection, *, account_id: int, asset: str, amount: Decimal, reference: str
) -> bool:
    """Give back what an order no longer needs."""
    return _move(
        conn,
        "release",
        reference,
        asset,
        amount,
        (account_id, Bucket.LOCKED),
        (account_id, Bucket.FREE),
    )


@dataclass(frozen=True)
class Fill:
    """One trade as the engine reported it, in its integer units."""

    symbol: str
    sequence: int  # the engine's gap-free sequence: the settlement's idempotency key
    buyer_account: int
    seller_account: int
    price_ticks: int
    qty_lots: int
    buyer_is_taker: bool


def fee(amount: Decimal, bps: int, asset: Asset) -> Decimal:
    """A fee in ``asset``, rounded half up to the asset's precision."""
    return (amount * bps / BPS).quantize(asset.unit, rounding=ROUND_HALF_UP)


def settle(conn: Connection, *, market: Market, fill: Fill) -> bool:
    """Settle a fill from the buyer's and seller's holds; False if it was settled before.

    The buyer pays the quote amount from its hold and receives the base quantity less its fee;
    the seller delivers the base quantity from its hold and receives the quote amount less its
    fee. Fees go to the exchange's fee account, so each asset's postings sum to zero.
    """
    quantity = market.quantity(fill.qty_lots)
    notional = market.notional(fill.price_ticks, fill.qty_lots)
    buyer_bps, seller_bps = (
        (market.taker_fee_bps, market.maker_fee_bps)
        if fill.buyer_is_taker
        else (market.maker_fee_bps, market.taker_fee_bps)
    )
    buyer_fee = fee(quantity, buyer_bps, market.base)
    seller_fee = fee(notional, seller_bps, market.quote)
    fees = system_account(conn, "fees")
    base, quote = market.base.code, market.quote.code
    return post(
        conn,
        kind="trade",
        reference=f"trade:{fill.symbol}:{fill.sequence}",
        postings=[
            Posting(fill.buyer_account, quote, Bucket.LOCKED, -notional),
            Posting(fill.buyer_account, base, Bucket.FREE, quantity - buyer_fee),
            Posting(fill.seller_account, base, Bucket.LOCKED, -quantity),
            Posting(fill.seller_account, quote, Bucket.FREE, notional - seller_fee),
            Posting(fees, base, Bucket.FREE, buyer_fee),
            Posting(fees, quote, Bucket.FREE, seller_fee),
        ],
    )
