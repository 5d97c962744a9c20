"""Entry point of the `xi` command line."""

from __future__ import annotations

import typer

from xi.cli import bench, demo, stack
from xi.cli.progress import console, steps
from xi.settings import get_settings
from xi.stack import stack as local_stack
from xi.stack.service import StackError

app = typer.Typer(help="Exchange intelligence platform.", no_args_is_help=True)
app.add_typer(stack.app, name="stack")
app.add_typer(bench.app, name="bench")
app.command()(demo.demo)


@app.command()
def setup() -> None:
    """Install and build everything the platform needs (idempotent; quick when done)."""
    with steps("setup") as report:
        local_stack.install(get_settings(), report)
    console.print("[green]setup complete")


def main() -> None:
    try:
        app()
    except StackError as error:
        console.print(f"[red]error:[/red] {error}")
        raise SystemExit(1) from error
