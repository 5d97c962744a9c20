"""`xi bench ...`: benchmarks against the local stack, each printing JSON as its last line."""

from __future__ import annotations

import typer

from xi.cli.bench_engine_kafka import engine_kafka

app = typer.Typer(help="Benchmarks; the last line of each is JSON.", no_args_is_help=True)
app.command("engine-kafka")(engine_kafka)
