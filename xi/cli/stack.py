"""`xi stack up | down | status | logs NAME`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from xi.cli.progress import console, steps
from xi.settings import get_settings
from xi.stack import stack

app = typer.Typer(help="Run the local stack of real servers on loopback.", no_args_is_help=True)

Names = Annotated[list[str] | None, typer.Argument(help="services (default: all)")]


@app.command()
def up(names: Names = None) -> None:
    """Start every service that is not running and wait until all are healthy."""
    with steps("stack up") as report:
        stack.up(get_settings(), report, names)
    _print_status()


@app.command()
def down(names: Names = None) -> None:
    """Stop the services cleanly."""
    with steps("stack down") as report:
        stack.down(get_settings(), report, names)


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Per service: healthy or not, pid, port and resident memory."""
    if as_json:
        print(json.dumps([s.as_dict() for s in stack.status(get_settings())]))
        return
    _print_status()


@app.command()
def logs(
    name: str, lines: Annotated[int, typer.Option("-n", help="last lines to show")] = 50
) -> None:
    """The last lines of one service's log."""
    path = stack.by_name(get_settings(), name).log_path
    if not path.exists():
        raise typer.BadParameter(f"{name} has no log yet ({path})")
    with path.open("rb") as log:
        print(b"".join(log.readlines()[-lines:]).decode(errors="replace"), end="")


def _print_status() -> None:
    table = Table("service", "healthy", "pid", "port", "RSS MiB", "version")
    for s in stack.status(get_settings()):
        table.add_row(
            s.name,
            "yes" if s.healthy else "NO",
            str(s.pid or "-"),
            str(s.port),
            f"{s.rss_mb:.0f}" if s.rss_mb is not None else "-",
            s.version,
        )
    console.print(table)
