"""A whole run, generated from its configuration alone: the same configuration (seed included)
gives the same commands, byte for byte, and the same labels."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace

from xi import markets
from xi.engine_client import Command
from xi.simulation import scenarios as sc
from xi.simulation.agents import InformedTraders, MarketMakers, MomentumTraders, NoiseTraders
from xi.simulation.clock import NS_PER_S, SimClock
from xi.simulation.config import SimulationConfig
from xi.simulation.flow import OrderFlow
from xi.simulation.labels import ABUSE, Evidence, Label
from xi.simulation.market import DEFAULT_PROFILE, PROFILES, SymbolMarket, schedule_jumps
from xi.simulation.risk_agents import ConcentratedTrader, FatFinger, TakenOverAccount
from xi.simulation.world import Accounts, Agent, World

WARM_UP_S = 5.0  # the book fills before any scenario starts
SCENARIO_SECONDS = {
    "wash_trading": 15.0,
    "wash_ring": 15.0,
    "spoofing": 10.0,
    "layering": 10.0,
    "pump_and_dump": 30.0,
    "momentum_ignition": 14.0,
    "marking_the_close": 3.0,
}


@dataclass
class Simulation:
    config: SimulationConfig
    commands: list[Command]
    labels: list[Label]
    owners: dict[int, int]  # account -> beneficial owner
    roles: dict[int, str]
    planned: dict[str, int]  # scenarios asked for per typology (some may not fit the run)

    def encoded(self) -> list[tuple[bytes, bytes]]:
        """The stream as `orders.v1` records: key = symbol, value = compact JSON."""
        return [
            (c["symbol"].encode(), json.dumps(c, separators=(",", ":")).encode())
            for c in self.commands
        ]

    def renumbered(self, accounts: dict[int, int]) -> Simulation:
        """The same run with its accounts replaced (simulated id -> platform account id), as
        when it trades through the API under real accounts."""
        commands = [
            {**c, "account": accounts[c["account"]]} if "account" in c else c for c in self.commands
        ]
        labels = [
            replace(
                label,
                accounts=[accounts[a] for a in label.accounts],
                owner=None if label.owner is None else accounts[label.owner],
            )
            for label in self.labels
        ]
        return replace(
            self,
            commands=commands,
            labels=labels,
            owners={accounts[a]: accounts[o] for a, o in self.owners.items()},
            roles={accounts[a]: role for a, role in self.roles.items()},
        )


def simulate(config: SimulationConfig) -> Simulation:
    rng = random.Random(config.seed)
    clock = SimClock(config.start_ns, config.step_ms * 1_000_000)
    end_ns = config.start_ns + config.duration_ns
    symbol_markets = _markets(config, rng, end_ns)
    flow = OrderFlow(config.run_id, clock)
    accounts = Accounts(config.account_base)
    world = World(clock, symbol_markets, flow, rng, accounts, end_ns)
    for m in symbol_markets.values():
        flow.list_symbol(m)

    agents: list[Agent] = []
    for symbol, m in symbol_markets.items():
        agents.append(MarketMakers(symbol, accounts.open_many("maker", m.liquidity.makers)))
    calendar = sc.Calendar()
    jumps = {s: list(m.jumps) for s, m in symbol_markets.items()}
    for symbol, scheduled in jumps.items():
        for jump in scheduled:
            calendar.book(symbol, sc.Window(jump.at_ns - 6 * NS_PER_S, jump.at_ns + 3 * NS_PER_S))
    abuse, planned = _abuse(config, world, calendar)
    risk = _risk(config, world, calendar)
    traders = config.traders
    agents += [scenario for scenario, _ in abuse]
    agents += [
        NoiseTraders(accounts.open_many("noise", traders - traders // 4 - traders // 8)),
        MomentumTraders(accounts.open_many("momentum", traders // 4)),
        InformedTraders(accounts.open_many("informed", max(1, traders // 8)), jumps),
    ]
    agents += [agent for agent, _ in risk]

    while clock.now_ns < end_ns:
        for m in symbol_markets.values():
            m.advance(clock.now_ns, rng)
        for agent in agents:
            agent.act(world)
        clock.advance()
    flow.close_out()

    labels = []
    for number, (_, evidence) in enumerate(abuse + risk):
        label = evidence.label(config.run_id, config.seed, number)
        if label is not None:
            labels.append(label)
    return Simulation(config, flow.commands, labels, accounts.owners, accounts.roles, planned)


def _markets(config: SimulationConfig, rng: random.Random, end_ns: int) -> dict[str, SymbolMarket]:
    listed = markets.load()
    out = {}
    for symbol in config.symbols:
        market = listed.market(symbol)
        liquidity = PROFILES.get(symbol, DEFAULT_PROFILE)
        reference = market.ticks(market.reference_price)
        out[symbol] = SymbolMarket(
            market=market,
            liquidity=liquidity,
            reference=reference,
            fair=reference,
            jumps=schedule_jumps(liquidity, config.start_ns, end_ns - config.start_ns, rng),
            step_s=config.step_ms / 1_000,
        )
    return out


def _abuse(
    config: SimulationConfig, world: World, calendar: sc.Calendar
) -> tuple[list[tuple[Agent, Evidence]], dict[str, int]]:
    """Plan every abuse scenario: a free window on a fitting symbol and fresh accounts."""
    rng, accounts = world.rng, world.accounts
    by_depth = sorted(config.symbols, key=lambda s: world.markets[s].liquidity.level_usdt)
    thin, liquid = by_depth[:1], by_depth[1:] or by_depth
    count = round(config.abuse_intensity * config.minutes)
    if config.abuse_intensity > 0:
        count = max(1, count)
    earliest = config.start_ns + int(WARM_UP_S * NS_PER_S)
    planned: dict[str, int] = {}
    out: list[tuple[Agent, Evidence]] = []
    for typology in ABUSE:
        planned[typology] = count
        # A run shorter than a scenario gets the scenario squeezed into what there is.
        length = min(int(SCENARIO_SECONDS[typology] * NS_PER_S), world.end_ns - earliest)
        if length < 3 * NS_PER_S:
            continue
        for _ in range(count):
            if typology == "marking_the_close":
                found = _close_window(config, world, calendar, liquid, length)
            else:
                symbols = thin if typology == "pump_and_dump" else liquid
                found = calendar.find(rng, symbols, length, earliest, world.end_ns - length)
            if found is None:
                continue
            symbol, window = found
            out.append(_scenario(typology, symbol, window, accounts, rng))
    return out, planned


def _close_window(
    config: SimulationConfig,
    world: World,
    calendar: sc.Calendar,
    symbols: list[str],
    length: int,
) -> tuple[str, sc.Window] | None:
    """The last seconds of a period close (or of the run, if shorter than one period)."""
    period = config.close_period_s * NS_PER_S
    closes = list(range(config.start_ns + period, world.end_ns + 1, period)) or [world.end_ns]
    for _ in range(20):
        close = world.rng.choice(closes)
        symbol = world.rng.choice(symbols)
        window = sc.Window(close - length, close)
        if calendar.free(symbol, window):
            calendar.book(symbol, window)
            return symbol, window
    return None


def _scenario(
    typology: str, symbol: str, window: sc.Window, accounts: Accounts, rng: random.Random
) -> tuple[Agent, Evidence]:
    side = rng.choice(("BUY", "SELL"))
    if typology == "wash_trading":
        first = accounts.open(typology)
        second = accounts.open(typology, owner=first)
        evidence = Evidence("abuse", typology, symbol, [first, second], owner=first)
        return sc.WashTrading(evidence, window, [(first, second), (second, first)]), evidence
    if typology == "wash_ring":
        ring = accounts.open_many(typology, 3)
        pairs = [(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]
        evidence = Evidence("abuse", typology, symbol, ring)
        return sc.WashTrading(evidence, window, pairs), evidence
    if typology in ("spoofing", "layering"):
        evidence = Evidence("abuse", typology, symbol, [accounts.open(typology)], side=side)
        layers = 1 if typology == "spoofing" else 4
        return sc.Spoofing(evidence, window, layers), evidence
    if typology == "pump_and_dump":
        evidence = Evidence("abuse", typology, symbol, accounts.open_many(typology, 3), side="BUY")
        return sc.PumpAndDump(evidence, window), evidence
    if typology == "momentum_ignition":
        evidence = Evidence("abuse", typology, symbol, [accounts.open(typology)], side=side)
        return sc.MomentumIgnition(evidence, window), evidence
    evidence = Evidence("abuse", typology, symbol, [accounts.open(typology)], side="BUY")
    return sc.MarkingTheClose(evidence, window), evidence


def _risk(
    config: SimulationConfig, world: World, calendar: sc.Calendar
) -> list[tuple[Agent, Evidence]]:
    """One concentrated trader, one taken-over account and a few fat fingers per run."""
    rng, accounts, symbols = world.rng, world.accounts, list(config.symbols)
    out: list[tuple[Agent, Evidence]] = []
    account = accounts.open("concentration")
    evidence = Evidence("risk", "concentration", rng.choice(symbols), [account], side="BUY")
    out.append((ConcentratedTrader(evidence, balance_usdt=rng.choice((50_000, 100_000))), evidence))

    home = rng.choice(symbols)
    account = accounts.open("account_takeover")
    switch = config.start_ns + int(config.duration_ns * rng.uniform(0.4, 0.7))
    evidence = Evidence("risk", "account_takeover", home, [account])
    out.append((TakenOverAccount(home, account, switch, evidence), evidence))

    earliest = config.start_ns + int(WARM_UP_S * NS_PER_S)
    for number in range(max(1, round(2 * config.minutes))):
        found = calendar.find(rng, symbols, 2 * NS_PER_S, earliest, world.end_ns - 2 * NS_PER_S)
        if found is None:
            continue
        symbol, window = found
        side = rng.choice(("BUY", "SELL"))
        evidence = Evidence("risk", "fat_finger", symbol, [accounts.open("fat_finger")], side=side)
        out.append((FatFinger(evidence, window.start_ns, wrong_price=number % 2 == 1), evidence))
    return out
