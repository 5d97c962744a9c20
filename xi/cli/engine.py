"""`xi replay lobster` and `xi bench engine`: the matching core on real and generated data."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from xi import cargo
from xi.cli.progress import steps
from xi.settings import get_settings

replay_app = typer.Typer(help="Replay public market data through the engine.", no_args_is_help=True)


def _tools() -> Path:
    with steps("engine") as report:
        report("building engine-tools (release)")
        return cargo.build_release(get_settings(), "engine-tools")


def _run(command: list[str]) -> None:
    """Run a tool with its output streamed; its last line is the machine-readable result."""
    code = subprocess.run(command).returncode
    if code != 0:
        raise typer.Exit(code)


@replay_app.command()
def lobster(
    messages: Path,
    orderbook: Path,
    mode: Annotated[
        str,
        typer.Option(
            help="state: act on the named order; matching: the engine picks the resting order"
        ),
    ] = "state",
) -> None:
    """Replay a LOBSTER level-1 message file and compare the book after every message."""
    if mode not in ("state", "matching"):
        raise typer.BadParameter("mode is state or matching")
    _run([str(_tools() / "engine-replay-lobster"), str(messages), str(orderbook), "--mode", mode])


def bench_engine(
    ops: Annotated[int, typer.Option(help="operations in the generated workload")] = 5_000_000,
    seed: Annotated[int, typer.Option()] = 42,
    workload: Annotated[Path | None, typer.Option(help="an existing command file")] = None,
) -> None:
    """Single-threaded throughput and per-operation latency of the matching core."""
    tools = _tools()
    with tempfile.TemporaryDirectory() as scratch:
        if workload is None:
            workload = Path(scratch) / "workload.csv"
            with steps("workload") as report:
                report(f"generating {ops:,} operations (seed {seed})")
                subprocess.run(
                    [
                        str(tools / "engine-workload"),
                        "--out",
                        str(workload),
                        "--ops",
                        str(ops),
                        "--seed",
                        str(seed),
                    ],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
        _run([str(tools / "engine-bench"), str(workload), "--warmup", str(min(ops // 10, 500_000))])
