"""The command stream of a run: engine commands with deterministic ids, stamped with simulated
time, and the bookkeeping the agents need (who may have orders resting where)."""

from __future__ import annotations

from xi import engine_client
from xi.engine_client import Command
from xi.simulation.clock import SimClock
from xi.simulation.market import SymbolMarket


class OrderFlow:
    def __init__(self, run_id: str, clock: SimClock) -> None:
        self.run_id = run_id
        self.clock = clock
        self.commands: list[Command] = []
        self._resting: set[tuple[str, int]] = set()

    def _stamp(self, command: Command) -> str:
        command["ts_ns"] = self.clock.now_ns
        self.commands.append(command)
        return command["command_id"]

    def _next_id(self) -> str:
        return f"{self.run_id}-{len(self.commands):07d}"

    def list_symbol(self, m: SymbolMarket) -> str:
        rules = m.market.engine_rules()
        return self._stamp(
            engine_client.create_symbol(
                m.symbol, reference_price=m.reference, command_id=self._next_id(), **rules
            )
        )

    def limit(self, m: SymbolMarket, account: int, side: str, price: int, lots: int) -> str:
        """A resting (GTC) limit order."""
        self._resting.add((m.symbol, account))
        return self._stamp(
            engine_client.new_order(
                m.symbol,
                account=account,
                side=side,
                price=price,
                qty=lots,
                time_in_force="GTC",
                command_id=self._next_id(),
            )
        )

    def take(
        self,
        m: SymbolMarket,
        account: int,
        side: str,
        lots: int,
        *,
        price: int | None = None,
        impact: bool = True,
    ) -> str | None:
        """An aggressive IOC limit order at `price` (default: the touch); it moves the price
        unless it only crosses a prearranged order. None when there is nothing to hit."""
        limit = price or m.touch(side)
        if limit <= 0:
            return None
        if impact:
            m.push(side, lots * limit / m.units_per_usdt)
        return self._stamp(
            engine_client.new_order(
                m.symbol,
                account=account,
                side=side,
                price=limit,
                qty=lots,
                time_in_force="IOC",
                stp="EXPIRE_TAKER",
                command_id=self._next_id(),
            )
        )

    def cancel_all(self, symbol: str, account: int) -> str:
        self._resting.discard((symbol, account))
        return self._stamp(
            engine_client.cancel_all(symbol, account=account, command_id=self._next_id())
        )

    def close_out(self) -> None:
        """Cancel whatever may still rest, so that a run leaves no order behind."""
        for symbol, account in sorted(self._resting):
            self.cancel_all(symbol, account)
