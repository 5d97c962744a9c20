"""`xi simulate`: a living market with labelled abuse, driven through the engine."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xi.cli.progress import console, steps
from xi.settings import Settings, get_settings
from xi.simulation import labels as labels_file
from xi.simulation import summary
from xi.simulation.api_mode import run_through_api
from xi.simulation.config import DEFAULT_SYMBOLS, ConfigError, SimulationConfig
from xi.simulation.generate import Simulation, simulate
from xi.simulation.runner import EngineOutcome, Pace, Route, RunError, publish_labels, run


class Mode(StrEnum):
    KAFKA = "kafka"
    API = "api"


def parse_start(text: str | None) -> int | None:
    """An ISO-8601 instant (UTC if no zone) in ns, or None for the default start."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO-8601 time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def command(
    minutes: Annotated[float, typer.Option(help="simulated minutes")] = 1.0,
    seed: Annotated[int, typer.Option(help="the same seed gives the same orders")] = 7,
    symbols: Annotated[str, typer.Option(help="comma-separated")] = ",".join(DEFAULT_SYMBOLS),
    traders: Annotated[
        int, typer.Option("--accounts", "--traders", help="background trading accounts")
    ] = 40,
    abuse_intensity: Annotated[float, typer.Option(help="scenarios per typology per minute")] = 1.0,
    start: Annotated[str | None, typer.Option(help="simulated start, ISO-8601")] = None,
    mode: Annotated[Mode, typer.Option(help="straight to orders.v1, or the trading API")] = (
        Mode.KAFKA
    ),
    speedup: Annotated[float, typer.Option(help="simulated seconds per wall second")] = 1.0,
    full_speed: Annotated[bool, typer.Option("--full-speed", help="send as fast as possible")] = (
        False
    ),
    labels_path: Annotated[
        Path | None, typer.Option("--labels", help="ground-truth JSON lines file")
    ] = None,
) -> None:
    """Run a simulated market with labelled abuse through the engine; print a summary and, as
    the last line, JSON (orders, trades, cancels, orders_per_sec, per-typology counts)."""
    settings = get_settings()
    if speedup <= 0:
        raise typer.BadParameter("--speedup must be positive")
    try:
        config = SimulationConfig(
            seed=seed,
            minutes=minutes,
            symbols=tuple(s.strip() for s in symbols.split(",") if s.strip()),
            traders=traders,
            abuse_intensity=abuse_intensity,
            **({"start_ns": start_ns} if (start_ns := parse_start(start)) is not None else {}),
        )
    except ConfigError as error:
        raise typer.BadParameter(str(error)) from None
    result = execute(settings, config, mode, Pace(full_speed, speedup), labels_path)
    print(json.dumps(result))


def execute(
    settings: Settings,
    config: SimulationConfig,
    mode: Mode,
    pace: Pace,
    labels_path: Path | None = None,
) -> dict[str, object]:
    """Generate, send, count and label a run; print its tables; return its totals."""
    route = Route(settings.engine_topic_prefix, settings.engine_group_id)
    path = labels_path or settings.state_dir / "simulation" / f"labels-{config.run_id}.jsonl"
    with steps("simulate") as report:
        report(f"generating {config.minutes:g} simulated minutes (seed {config.seed})")
        simulation = simulate(config)
        try:
            if mode is Mode.API:
                simulation, outcome = run_through_api(settings, simulation, route, pace, report)
            else:
                outcome = run(settings, simulation, route, pace, report)
        except RunError as error:
            console.print(f"[red]error:[/red] {error}")
            raise typer.Exit(1) from error
        report(f"writing {len(simulation.labels)} labels to {path} and to labels.v1")
        labels_file.write_jsonl(simulation.labels, path)
        publish_labels(settings, route, simulation.labels)
    show(simulation, outcome)
    return {**summary.totals(simulation, outcome), "labels_file": str(path)}


def show(simulation: Simulation, outcome: EngineOutcome) -> None:
    table = Table(
        "symbol", "orders", "trades", "volume", "notional", "first", "last", "low", "high",
        title="what traded",
    )  # fmt: skip
    for row in summary.by_symbol(simulation, outcome):
        table.add_row(
            row.symbol,
            f"{row.orders:,}",
            f"{row.trades:,}",
            str(row.volume.normalize()),
            f"{row.notional:,.2f}",
            *(str(p.normalize()) if p is not None else "-" for p in (row.first, row.last)),
            *(str(p.normalize()) if p is not None else "-" for p in (row.low, row.high)),
        )
    console.print(table)
    abuse = Table("typology", "scenarios", "commands", "trades", title="what was injected")
    for typology, counts in summary.typologies(simulation, outcome).items():
        abuse.add_row(typology, *(f"{counts[k]:,}" for k in ("scenarios", "commands", "trades")))
    console.print(abuse)
    totals = summary.totals(simulation, outcome)
    console.print(
        f"{totals['orders']:,} orders ({totals['rejected']:,} rejected), {totals['trades']:,} "
        f"trades, {totals['cancels']:,} cancels in {totals['seconds']:.2f} s: "
        f"[bold]{totals['orders_per_sec']:,.0f} orders/s[/bold] through the engine"
    )
