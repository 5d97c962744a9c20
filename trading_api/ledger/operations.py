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
class FillSide:
    """One side of a trade as the engine reported it to that side's account, in integer units."""

    symbol: str
    shard: int
    sequence: int  # the engine's gap-free sequence, shared by both sides of the trade
    engine_order_id: int
    account_id: int
    is_buyer: bool
    is_maker: bool
    price_ticks: int
    qty_lots: int


@dataclass(frozen=True)
class FillAmounts:
    quantity: Decimal
    notional: Decimal
    commission: Decimal
    commission_asset: str


def fee(amount: Decimal, bps: int, asset: Asset) -> Decimal:
    """A fee in ``asset``, rounded half up to the asset's precision."""
    return (amount * bps / BPS).quantize(asset.unit, rounding=ROUND_HALF_UP)


def fill_amounts(market: Market, fill: FillSide) -> FillAmounts:
    """What the side trades and pays: a buyer's fee in the base asset, a seller's in the quote."""
    quantity = market.quantity(fill.qty_lots)
    notional = market.notional(fill.price_ticks, fill.qty_lots)
    bps = market.maker_fee_bps if fill.is_maker else market.taker_fee_bps
    if fill.is_buyer:
        return FillAmounts(quantity, notional, fee(quantity, bps, market.base), market.base.code)
    return FillAmounts(quantity, notional, fee(notional, bps, market.quote), market.quote.code)


def settle(conn: Connection, *, market: Market, fill: FillSide) -> bool:
    """Settle one side of a fill from its order's hold; False if it was settled before.

    Each side settles against the clearing account on its own, since the two sides arrive as
    separate reports (keyed by account) and the other side may belong to another deployment's
    ledger. A buyer pays the quote amount from its hold and receives the base quantity less
    its fee; a seller delivers the base quantity and receives the quote amount less its fee.
    Fees go to the fee account; every asset's postings sum to zero, and once both sides of a
    trade are settled the clearing account is back where it was.
    """
    amounts = fill_amounts(market, fill)
    clearing, fees = system_account(conn, "clearing"), system_account(conn, "fees")
    base, quote = market.base.code, market.quote.code
    pay_asset, pay, get_asset, get = (
        (quote, amounts.notional, base, amounts.quantity)
        if fill.is_buyer
        else (base, amounts.quantity, quote, amounts.notional)
    )
    return post(
        conn,
        kind="trade",
        reference=f"trade:{fill.symbol}:{fill.shard}:{fill.sequence}:{fill.engine_order_id}",
        postings=[
            Posting(fill.account_id, pay_asset, Bucket.LOCKED, -pay),
            Posting(clearing, pay_asset, Bucket.FREE, pay),
            Posting(clearing, get_asset, Bucket.FREE, -get),
            Posting(fill.account_id, get_asset, Bucket.FREE, get - amounts.commission),
            Posting(fees, amounts.commission_asset, Bucket.FREE, amounts.commission),
        ],
    )
