"""The ledger on the real PostgreSQL: exact settlement, idempotency, conservation, refusals."""

from __future__ import annotations

import uuid
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trading_api.auth import Role, create_account
from trading_api.ledger import operations as ops
from trading_api.ledger.journal import InsufficientBalance, LedgerError, asset_totals, balances
from xi import markets

BTCUSDT = markets.load().market("BTCUSDT")


def _account(conn: psycopg.Connection) -> int:
    return create_account(conn, name=f"trader-{uuid.uuid4().hex[:10]}", role=Role.TRADER)


def _free(conn: psycopg.Connection, account: int, asset: str) -> Decimal:
    balance = balances(conn, account).get(asset)
    return balance.free if balance else Decimal(0)


def _settle_trade(
    conn: psycopg.Connection,
    sequence: int,
    buyer: int,
    seller: int,
    ticks: int,
    lots: int,
    *,
    buyer_is_taker: bool,
) -> list[bool]:
    """Both sides of one trade, each as its own report (the engine's two orders: 1 and 2)."""
    return [
        ops.settle(
            conn,
            market=BTCUSDT,
            fill=ops.FillSide(
                "BTCUSDT",
                0,
                sequence,
                order,
                account,
                is_buyer,
                is_buyer != buyer_is_taker,
                ticks,
                lots,
            ),
        )
        for order, account, is_buyer in ((1, buyer, True), (2, seller, False))
    ]


def test_fill_moves_exactly_the_right_amounts_including_fees(conn: psycopg.Connection) -> None:
    buyer, seller = _account(conn), _account(conn)
    ops.deposit(conn, account_id=buyer, asset="USDT", amount=Decimal("10000"), reference="b")
    ops.deposit(conn, account_id=seller, asset="BTC", amount=Decimal("1"), reference="s")
    # Buyer bids 0.1 BTC at 60,000.00; seller rests 0.1 BTC; the buyer takes.
    ops.hold(conn, account_id=buyer, asset="USDT", amount=Decimal("6000"), reference="o1")
    ops.hold(conn, account_id=seller, asset="BTC", amount=Decimal("0.1"), reference="o2")
    assert _settle_trade(conn, 1, buyer, seller, 6_000_000, 10_000, buyer_is_taker=True) == [
        True,
        True,
    ]

    # Taker fee 10 bps on 0.1 BTC = 0.0001 BTC; maker fee 8 bps on 6000 USDT = 4.8 USDT.
    b, s = balances(conn, buyer), balances(conn, seller)
    assert (b["USDT"].free, b["USDT"].locked) == (Decimal("4000"), Decimal("0"))
    assert b["BTC"].free == Decimal("0.0999")
    assert (s["BTC"].free, s["BTC"].locked) == (Decimal("0.9"), Decimal("0"))
    assert s["USDT"].free == Decimal("5995.2")
    assert all(total == 0 for total in asset_totals(conn).values())


def test_a_redelivered_fill_settles_once(conn: psycopg.Connection) -> None:
    buyer, seller = _account(conn), _account(conn)
    ops.deposit(conn, account_id=buyer, asset="USDT", amount=Decimal("1000"), reference="b2")
    ops.deposit(conn, account_id=seller, asset="BTC", amount=Decimal("1"), reference="s2")
    ops.hold(conn, account_id=buyer, asset="USDT", amount=Decimal("1000"), reference="o3")
    ops.hold(conn, account_id=seller, asset="BTC", amount=Decimal("1"), reference="o4")
    trade = (conn, 2, buyer, seller, 5_000_000, 1_000)
    assert _settle_trade(*trade, buyer_is_taker=False) == [True, True]
    once = balances(conn, buyer), balances(conn, seller)
    assert _settle_trade(*trade, buyer_is_taker=False) == [False, False]
    assert (balances(conn, buyer), balances(conn, seller)) == once


def test_insufficient_balance_is_refused_and_changes_nothing(conn: psycopg.Connection) -> None:
    account = _account(conn)
    ops.deposit(conn, account_id=account, asset="USDT", amount=Decimal("50"), reference="d5")
    before = balances(conn, account)
    with pytest.raises(InsufficientBalance):
        ops.hold(conn, account_id=account, asset="USDT", amount=Decimal("50.01"), reference="h5")
    with pytest.raises(InsufficientBalance):
        ops.withdraw(conn, account_id=account, asset="USDT", amount=Decimal("51"), reference="w5")
    assert balances(conn, account) == before
    # The refused references stay free: a later, affordable request with them goes through.
    assert ops.hold(conn, account_id=account, asset="USDT", amount=Decimal("5"), reference="h5")


@pytest.mark.parametrize("amount", ["0", "-1", "NaN", "Infinity"])
def test_non_positive_or_non_finite_amounts_are_refused(
    conn: psycopg.Connection, amount: str
) -> None:
    account = _account(conn)
    with pytest.raises(LedgerError):
        ops.deposit(conn, account_id=account, asset="USDT", amount=Decimal(amount), reference="x")
    assert balances(conn, account) == {}


operation = st.one_of(
    st.tuples(
        st.just("deposit"),
        st.integers(0, 3),
        st.sampled_from(["BTC", "USDT"]),
        st.integers(1, 10**6),
    ),
    st.tuples(
        st.just("withdraw"),
        st.integers(0, 3),
        st.sampled_from(["BTC", "USDT"]),
        st.integers(1, 10**6),
    ),
    st.tuples(
        st.just("trade"),
        st.integers(0, 3),
        st.integers(0, 3),
        st.integers(1, 10**5),
        st.integers(1, 10**4),
    ),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(operation, min_size=1, max_size=30))
def test_random_operations_conserve_every_asset_and_never_go_negative(
    conn: psycopg.Connection, operations: list[tuple]
) -> None:
    accounts = [_account(conn) for _ in range(4)]
    for step, op in enumerate(operations):
        reference = f"{uuid.uuid4().hex}:{step}"
        try:
            if op[0] in ("deposit", "withdraw"):
                _, who, asset, cents = op
                getattr(ops, op[0])(
                    conn,
                    account_id=accounts[who],
                    asset=asset,
                    amount=Decimal(cents) / 100,
                    reference=reference,
                )
            else:
                _, buyer, seller, ticks, lots = op
                notional = BTCUSDT.notional(ticks, lots)
                quantity = BTCUSDT.quantity(lots)
                ops.hold(
                    conn,
                    account_id=accounts[buyer],
                    asset="USDT",
                    amount=notional,
                    reference=f"{reference}:b",
                )
                ops.hold(
                    conn,
                    account_id=accounts[seller],
                    asset="BTC",
                    amount=quantity,
                    reference=f"{reference}:s",
                )
                _settle_trade(
                    conn,
                    hash(reference) & 0x7FFFFFFF,
                    accounts[buyer],
                    accounts[seller],
                    ticks,
                    lots,
                    buyer_is_taker=bool(step % 2),
                )
        except InsufficientBalance:
            pass
        assert all(total == 0 for total in asset_totals(conn).values())
    for account in accounts:
        for balance in balances(conn, account).values():
            assert balance.free >= 0 and balance.locked >= 0
