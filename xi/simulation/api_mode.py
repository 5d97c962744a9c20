"""The run through the trading API: every simulated account becomes a real platform account
with its own API key, and every command a signed REST call (for volume, send to `orders.v1`).

The API lists the symbols itself, so `CREATE_SYMBOL` commands are not sent; `CANCEL_ALL`
becomes `DELETE /api/v3/openOrders`, where "no open orders" is not an error.
"""

from __future__ import annotations

import time
from decimal import Decimal

import psycopg

from trading_api import db
from trading_api.auth import Role, SecretBox, create_account, issue_api_key
from trading_api.ledger import operations
from xi import markets, topics
from xi.engine_client import Command
from xi.settings import Settings
from xi.simulation.api_client import ApiRefused, Credentials, SignedClient, order_params
from xi.simulation.clock import NS_PER_S
from xi.simulation.generate import Simulation
from xi.simulation.runner import (
    EngineOutcome,
    Pace,
    Report,
    Route,
    RunError,
    end_offsets,
    read_outputs,
)

NO_SUCH_ORDER = -2011  # Binance's answer to cancelling when nothing is open
ORDER_REJECTED = -2010  # a risk check or the engine refused the order: part of a market's life
# Every simulated account starts with this much of every asset, so that the agents' orders meet
# the balance check; the other risk checks (price band, notional) still refuse what they must.
STARTING_BALANCE = Decimal(1_000_000)


def provision(settings: Settings, simulation: Simulation) -> dict[int, Credentials]:
    """A trader account and API key for each simulated account."""
    box = SecretBox(settings.secret_key.get_secret_value())
    assets = sorted(markets.load().assets)
    out = {}
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        db.migrate(conn)
        for sim_account, role in sorted(simulation.roles.items()):
            name = f"sim-{simulation.config.run_id}-{role}-{sim_account}"
            account = create_account(conn, name=name, role=Role.TRADER)
            for asset in assets:
                operations.deposit(
                    conn,
                    account_id=account,
                    asset=asset,
                    amount=STARTING_BALANCE,
                    reference=f"{name}-{asset}",
                )
            issued = issue_api_key(conn, box, account_id=account)
            out[sim_account] = Credentials(account, issued.api_key, issued.secret)
    return out


def run_through_api(
    settings: Settings, simulation: Simulation, route: Route, pace: Pace, report: Report
) -> tuple[Simulation, EngineOutcome]:
    """Send the run as signed API calls; return it renumbered to the platform's accounts, with
    the engine's outputs for those accounts."""
    report(f"creating {len(simulation.roles)} accounts with API keys")
    credentials = provision(settings, simulation)
    platform = simulation.renumbered({s: c.account_id for s, c in credentials.items()})
    clients = {
        c.account_id: SignedClient(f"http://127.0.0.1:{settings.trading_api_port}", c)
        for c in credentials.values()
    }
    outputs = (route.topic(topics.EXECUTIONS), route.topic(topics.TRADES))
    since = {topic: end_offsets(settings, topic) for topic in outputs}
    listed = markets.load()
    started = time.monotonic()
    first_ms = int(time.time() * 1000)
    try:
        for number, command in enumerate(platform.commands):
            if not pace.full_speed:
                due = (command["ts_ns"] - simulation.config.start_ns) / NS_PER_S / pace.speedup
                time.sleep(max(0.0, due - (time.monotonic() - started)))
            _call(clients, command, listed)
            if number % 1_000 == 0:
                report(f"sent {number:,} of {len(platform.commands):,} commands to the API")
    except ApiRefused as error:
        raise RunError(f"the trading API refused the run: {error}") from error
    finally:
        for client in clients.values():
            client.close()
    last_ms = int(time.time() * 1000)
    report("reading the engine's reports and trades")
    outcome = read_outputs(settings, route, since, set(platform.owners))
    outcome.first_send_ms, outcome.last_send_ms = first_ms, last_ms
    return platform, outcome


def _call(clients: dict[int, SignedClient], command: Command, listed: markets.Markets) -> None:
    if command["type"] == "NEW_ORDER":
        try:
            clients[command["account"]].new_order(order_params(command, listed))
        except ApiRefused as error:
            if error.code != ORDER_REJECTED:
                raise
    elif command["type"] == "CANCEL_ALL":
        try:
            clients[command["account"]].cancel_open_orders(command["symbol"])
        except ApiRefused as error:
            if error.code != NO_SUCH_ORDER:
                raise
