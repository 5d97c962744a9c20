"""`xi pipelines ...`: the Spark streaming jobs from the engine's topics."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from xi.cli.progress import console, steps
from xi.settings import get_settings
from xi.stack.service import StackError

app = typer.Typer(help="Spark streaming jobs: bars and book series, the lake, account features.")


@app.command()
def run(
    available_now: Annotated[
        bool, typer.Option(help="work off what Kafka holds now, then stop")
    ] = False,
    status_every_s: Annotated[float, typer.Option(help="seconds between progress lines")] = 5.0,
) -> None:
    """Run the market job until Ctrl-C, from its checkpoint (see pipelines/README.md)."""
    from pipelines import jobs
    from pipelines.spark_session import spark_session

    settings = get_settings()
    with steps("pipelines") as report:
        report(f"starting Spark ({settings.spark_master}, driver {settings.spark_driver_memory})")
        spark = spark_session(settings)
        queries = jobs.start_market_jobs(spark, settings, available_now=available_now)
        report(
            f"running {', '.join(q.name for q in queries)}; checkpoints in "
            f"{settings.pipelines_checkpoint_dir}"
        )
        try:
            while any(query.isActive for query in queries):
                time.sleep(status_every_s)
                report(jobs.progress_line(queries))
        except KeyboardInterrupt:
            report("stopping")
        finally:
            error = jobs.failure(queries)
            jobs.stop_all(queries)
            spark.stop()
    if error is not None:
        raise StackError(f"a pipelines query failed: {error}")
    console.print("[green]pipelines stopped")
