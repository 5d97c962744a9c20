"""Entry point of the `xi` command line."""

from __future__ import annotations

import typer

from xi import cargo
from xi.cli import accounts, bench, demo, engine, learning, pipelines, simulate, stack
from xi.cli.progress import console, steps
from xi.settings import get_settings
from xi.stack import spark
from xi.stack import stack as local_stack
from xi.stack.service import StackError

app = typer.Typer(help="Exchange intelligence platform.", no_args_is_help=True)
app.add_typer(stack.app, name="stack")
app.add_typer(accounts.app, name="accounts")
app.add_typer(bench.app, name="bench")
app.add_typer(engine.replay_app, name="replay")
app.add_typer(learning.app, name="learning")
app.add_typer(pipelines.app, name="pipelines")
app.command()(demo.demo)
app.command(name="simulate")(simulate.command)


@app.command()
def setup() -> None:
    """Install and build everything the platform needs (idempotent; quick when done)."""
    settings = get_settings()
    with steps("setup") as report:
        local_stack.install(settings, report)
        report("fetching Spark's Kafka connector")
        spark.kafka_connector_jars(settings)
        report("building the engine's tools")
        cargo.build_release(settings, "engine-tools")
    console.print("[green]setup complete")


def main() -> None:
    try:
        app()
    except StackError as error:
        console.print(f"[red]error:[/red] {error}")
        raise SystemExit(1) from error


if __name__ == "__main__":
    main()
