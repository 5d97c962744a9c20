"""Placing and cancelling orders: checks, the ledger hold, the engine round trip.

A new order is parsed, checked before trade, stored with its hold (one transaction), sent to
`orders.v1` by an idempotent producer, and answered once the engine's report has been applied
(or after a bounded wait, with what is known then), as Binance answers RESULT and FULL.
"""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack
from decimal import Decimal
from typing import Any

from psycopg import Connection, errors
from psycopg_pool import ConnectionPool
from redis import Redis

from trading_api.errors import (
    CANCEL_REPLACE_FAILED,
    CANCEL_REPLACE_PARTLY_FAILED,
    INTERNAL,
    NO_SUCH_ORDER,
    ORDER_REJECTED,
    TOO_MANY_ORDERS,
    UNKNOWN_ORDER,
    ApiError,
)
from trading_api.ledger import operations as ops
from trading_api.ledger.journal import InsufficientBalance
from trading_api.orders import store, wire
from trading_api.orders.commands import CommandProducer
from trading_api.orders.consumer import Waiter, Waiters
from trading_api.orders.request import (
    BAD_ENUM,
    INVALID_SYMBOL,
    MANDATORY,
    OrderIntent,
    parse_new_order,
)
from trading_api.orders.store import Order
from trading_api.risk.pretrade import PretradeContext, RiskDecision, check, required_hold
from xi import engine_client, topics
from xi.markets import Market, Markets
from xi.settings import Settings

RESPONSE_TYPES = ("ACK", "RESULT", "FULL")
INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action."
RATE_WINDOW_S = 10
PRODUCE_TIMEOUT_S = 10.0
# Binance's wording where it has one.
ENGINE_REJECTIONS = {
    "WOULD_TAKE_POST_ONLY": "Order would immediately match and take.",
    "WOULD_TRIGGER_IMMEDIATELY": "Order would trigger immediately.",
    "NO_LIQUIDITY": "Market order has no liquidity to trade against.",
}


def _new_client_id() -> str:
    return f"xi-{uuid.uuid4().hex[:24]}"


def _not_found(detail: str = "Unknown order sent.") -> ApiError:
    return ApiError(400, UNKNOWN_ORDER, detail)


class OrderService:
    def __init__(
        self,
        settings: Settings,
        pool: ConnectionPool,
        redis: Redis,
        markets: Markets,
        waiters: Waiters,
    ) -> None:
        self._settings, self._pool, self._redis = settings, pool, redis
        self.markets, self._waiters = markets, waiters
        self._commands = CommandProducer(
            settings.kafka_bootstrap,
            f"{settings.engine_topic_prefix}{topics.ORDERS}",
            PRODUCE_TIMEOUT_S,
        )

    def close(self) -> None:
        self._commands.close()

    def list_symbols(self) -> None:
        """Make sure the engine knows every symbol (listing one twice is refused, harmlessly)."""
        for market in self.markets.symbols.values():
            rules = market.engine_rules()
            self._commands.send(
                engine_client.create_symbol(
                    market.symbol,
                    reference_price=market.ticks(market.reference_price),
                    **rules,
                )
            )

    def market(self, symbol: str) -> Market:
        market = self.markets.symbols.get(symbol)
        if market is None:
            raise ApiError(400, INVALID_SYMBOL, "Invalid symbol.")
        return market

    # --- placing ---

    def _context(self, conn: Connection, account_id: int, intent: OrderIntent) -> PretradeContext:
        market = intent.market
        facts = store.pretrade_facts(conn, account_id, market.symbol)
        window = int(time.time()) // RATE_WINDOW_S
        key = f"orders-in-window:{account_id}:{window}"
        count, _ = self._redis.pipeline().incr(key).expire(key, RATE_WINDOW_S * 2).execute()
        last = facts.last_price
        reference = market.ticks(last) if last is not None else market.ticks(market.reference_price)
        spend = required_hold(intent, reference)
        return PretradeContext(
            last_price_ticks=market.ticks(last) if last is not None else None,
            kill_switch=facts.kill_switch,
            orders_in_window=int(count) - 1,
            available=facts.free.get(spend.asset, Decimal(0)),
        )

    @staticmethod
    def _refusal(decision: RiskDecision) -> ApiError:
        extra = {"riskDecision": decision.as_dict()}
        if decision.failed == "RATE_LIMIT":
            return ApiError(429, TOO_MANY_ORDERS, f"Too many new orders: {decision.reason}", extra)
        if decision.failed == "BALANCE":
            # Binance's wording, which clients map to their insufficient-funds error.
            return ApiError(400, ORDER_REJECTED, INSUFFICIENT_BALANCE, extra)
        return ApiError(400, ORDER_REJECTED, f"{decision.failed}: {decision.reason}", extra)

    def _respond(self, order: Order, response_type: str) -> dict[str, Any]:
        if order.status == "REJECTED":
            reason = order.reject_reason or "REJECTED"
            raise ApiError(
                400,
                ORDER_REJECTED,
                ENGINE_REJECTIONS.get(reason, f"Order rejected by the matching engine: {reason}"),
                {"riskDecision": order.risk_decision, "orderId": order.id},
            )
        market = self.markets.symbols[order.symbol]
        if response_type == "ACK":
            return wire.ack(order)
        with self._pool.connection() as conn:
            fills = store.fills_of(conn, order.id) if response_type == "FULL" else None
        return wire.result(order, market, fills)

    def _reload(self, order: Order) -> Order:
        with self._pool.connection() as conn:
            found = store.find_order(
                conn,
                account_id=order.account_id,
                symbol=order.symbol,
                order_id=order.id,
                client_order_id=None,
            )
        assert found is not None
        return found

    def _wait(self, waiter: Waiter) -> None:
        waiter.done.wait(self._settings.order_report_timeout_s)

    def place(self, account_id: int, params: dict[str, str], *, test: bool = False) -> dict:
        intent = parse_new_order(params, self.markets)
        default_type = "FULL" if intent.order_type.value in ("LIMIT", "MARKET") else "ACK"
        response_type = params.get("newOrderRespType") or default_type
        if response_type not in RESPONSE_TYPES:
            raise ApiError(400, BAD_ENUM, f"Invalid newOrderRespType: {response_type!r}")
        client_id = intent.client_order_id or _new_client_id()
        with self._pool.connection() as conn:
            known = store.order_by_client_id(conn, account_id, client_id)
            if known is not None:
                return self._respond(known, response_type)  # a retried request: same answer
            decision = check(intent, self._context(conn, account_id, intent))
            if not decision.accepted:
                raise self._refusal(decision)
            if test:
                return {"riskDecision": decision.as_dict()}
            order = self._store_with_hold(conn, account_id, intent, client_id, decision)
        if order.status != "PENDING_NEW":
            return self._respond(order, response_type)
        command = engine_client.new_order(
            intent.market.symbol,
            account=account_id,
            side=intent.side.value,
            order_type=intent.order_type.value,
            qty=intent.qty_lots,
            price=intent.price_ticks,
            time_in_force=intent.time_in_force.value,
            quote_qty=intent.quote_qty_units,
            stop_price=intent.stop_price_ticks,
            iceberg_qty=intent.iceberg_lots,
            stp=intent.stp.value,
            command_id=order.command_id,
            client_order_id=client_id,
        )
        with self._waiters.expect(order.command_id, order.id) as waiter:
            try:
                self._commands.send(command)
            except Exception as error:
                self._abandon(order)
                raise ApiError(503, INTERNAL, "The matching engine is unreachable.") from error
            # Even ACK waits for the engine's acceptance, so that a refusal is answered as one.
            self._wait(waiter)
        return self._respond(waiter.order or self._reload(order), response_type)

    def _store_with_hold(
        self,
        conn: Connection,
        account_id: int,
        intent: OrderIntent,
        client_id: str,
        decision: RiskDecision,
    ) -> Order:
        assert decision.hold is not None
        try:
            with conn.transaction():
                order = store.insert_order(
                    conn,
                    account_id=account_id,
                    intent=intent,
                    client_order_id=client_id,
                    command_id=uuid.uuid4().hex,
                    hold=decision.hold,
                    decision=decision,
                )
                ops.hold(
                    conn,
                    account_id=account_id,
                    asset=decision.hold.asset,
                    amount=decision.hold.amount,
                    reference=f"order:{order.id}",
                )
        except errors.UniqueViolation:
            # The same clientOrderId, placed concurrently: answer with that order.
            known = store.order_by_client_id(conn, account_id, client_id)
            assert known is not None
            return known
        except InsufficientBalance:
            spent = RiskDecision(
                False, decision.passed[:-1], "BALANCE", "the balance changed meanwhile"
            )
            raise self._refusal(spent) from None
        return order

    def _abandon(self, order: Order) -> None:
        """The command never reached Kafka: the order is rejected and its hold comes back."""
        with self._pool.connection() as conn, conn.transaction():
            conn.execute(
                "UPDATE orders SET status = 'REJECTED', reject_reason = 'NOT_SENT', "
                "updated_at = now() WHERE id = %s",
                (order.id,),
            )
            ops.release(
                conn,
                account_id=order.account_id,
                asset=order.hold_asset,
                amount=order.hold_amount,
                reference=f"order:{order.id}",
            )

    # --- cancelling ---

    def find(
        self,
        conn: Connection,
        account_id: int,
        symbol: str,
        order_id: str | None,
        client_id: str | None,
    ) -> Order:
        if not order_id and not client_id:
            raise ApiError(
                400,
                MANDATORY,
                "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
            )
        try:
            wanted_id = int(order_id) if order_id else None
        except ValueError:
            raise ApiError(400, MANDATORY, "Param 'orderId' is not an integer.") from None
        order = store.find_order(
            conn,
            account_id=account_id,
            symbol=symbol,
            order_id=wanted_id,
            client_order_id=client_id,
        )
        if order is None:
            raise ApiError(400, NO_SUCH_ORDER, "Order does not exist.")
        return order

    def cancel(self, account_id: int, params: dict[str, str]) -> dict[str, Any]:
        market = self.market(params.get("symbol", ""))
        with self._pool.connection() as conn:
            order = self.find(
                conn,
                account_id,
                market.symbol,
                params.get("orderId"),
                params.get("origClientOrderId"),
            )
        [canceled] = self._cancel_orders([order])
        return wire.canceled(canceled, market, params.get("newClientOrderId") or _new_client_id())

    def _cancel_orders(self, orders: list[Order]) -> list[Order]:
        """Send a cancel for each order and wait for the engine's answers; refuse what failed.

        Returns the orders as the engine's answers left them."""
        commands = []
        for order in orders:
            if not order.is_open or order.engine_order_id is None:
                raise _not_found()
            commands.append(
                engine_client.cancel(
                    order.symbol, account=order.account_id, order_id=order.engine_order_id
                )
            )
        with ExitStack() as stack:
            waiters = [
                stack.enter_context(self._waiters.expect(c["command_id"], o.id))
                for c, o in zip(commands, orders, strict=True)
            ]
            for command in commands:
                self._commands.send(command)
            for waiter in waiters:
                self._wait(waiter)
        refused = [w.rejected for w in waiters if w.rejected]
        if refused and len(orders) == 1:
            raise _not_found(f"Unknown order sent. ({refused[0]})")
        return [w.order or self._reload(o) for w, o in zip(waiters, orders, strict=True)]

    def cancel_all(self, account_id: int, symbol: str) -> list[dict[str, Any]]:
        market = self.market(symbol)
        with self._pool.connection() as conn:
            orders = [
                o
                for o in store.open_orders(conn, account_id=account_id, symbol=market.symbol)
                if o.engine_order_id is not None
            ]
        if not orders:
            raise _not_found()
        canceled = self._cancel_orders(orders)
        return [wire.canceled(o, market, _new_client_id()) for o in canceled]

    # --- cancel, then place ---

    def cancel_replace(self, account_id: int, params: dict[str, str]) -> dict[str, Any]:
        """Binance's cancelReplace: cancel an order, then place a new one (a new orderId)."""
        mode = params.get("cancelReplaceMode")
        if mode not in ("STOP_ON_FAILURE", "ALLOW_FAILURE"):
            raise ApiError(400, MANDATORY, "Mandatory parameter 'cancelReplaceMode' was not sent.")
        parse_new_order(params, self.markets)  # a bad new order refuses the whole request
        cancel_params = {
            "symbol": params.get("symbol", ""),
            "orderId": params.get("cancelOrderId", ""),
            "origClientOrderId": params.get("cancelOrigClientOrderId", ""),
            "newClientOrderId": params.get("cancelNewClientOrderId", ""),
        }
        outcome: dict[str, Any] = {}
        try:
            outcome["cancelResponse"] = self.cancel(account_id, cancel_params)
            outcome["cancelResult"] = "SUCCESS"
        except ApiError as error:
            outcome["cancelResult"] = "FAILURE"
            outcome["cancelResponse"] = {"code": error.code, "msg": error.msg}
            if mode == "STOP_ON_FAILURE":
                outcome |= {"newOrderResult": "NOT_ATTEMPTED", "newOrderResponse": None}
                raise ApiError(
                    400, CANCEL_REPLACE_FAILED, "Order cancel-replace failed.", {"data": outcome}
                ) from None
        try:
            outcome["newOrderResponse"] = self.place(account_id, params)
            outcome["newOrderResult"] = "SUCCESS"
        except ApiError as error:
            outcome["newOrderResult"] = "FAILURE"
            outcome["newOrderResponse"] = {"code": error.code, "msg": error.msg, **error.extra}
            raise ApiError(
                409,
                CANCEL_REPLACE_PARTLY_FAILED,
                "Order cancel-replace partially failed.",
                {"data": outcome},
            ) from None
        if outcome["cancelResult"] == "FAILURE":
            raise ApiError(
                409,
                CANCEL_REPLACE_PARTLY_FAILED,
                "Order cancel-replace partially failed.",
                {"data": outcome},
            )
        return outcome
