"""`xi learning`: the knowledge-tracing model's road (train through the pipeline, evaluate)."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import typer

from xi.cli.progress import console, steps
from xi.settings import get_settings

app = typer.Typer(help="Knowledge tracing: train, evaluate, promote.", no_args_is_help=True)

QUICK_LIMIT = 300  # learners of the training file in a --quick run


@app.command()
def train(
    epochs: int = typer.Option(0, help="Most epochs per neural model (0: the default)."),
    quick: bool = typer.Option(False, help="A small slice and small models: a smoke run."),
) -> None:
    """Run the Kubeflow pipeline locally: data, training, evaluation, registration, export."""
    from models.knowledge_tracing.pipeline import run_locally
    from models.knowledge_tracing.training import TrainConfig

    settings = get_settings()
    config = TrainConfig(threads=settings.tf_threads)
    if quick:
        config = config.quick()
    if epochs:
        config = replace(config, epochs=epochs, dkt_epochs=epochs)
    started = time.monotonic()
    with steps("learning train") as report:
        scope = "quick slice" if quick else "full data"
        report(f"pipeline: {scope}, MLflow {settings.mlflow_tracking_uri}")
        result = run_locally(
            config.to_json(),
            settings.mlflow_tracking_uri,
            settings.model_base_path,
            settings.mlflow_artifacts_dir,
            settings.state_dir / "kfp",
            limit=QUICK_LIMIT if quick else 0,
        )
        report(f"pipeline finished in {time.monotonic() - started:.0f} s")
    promotion = json.loads(result.promotion)
    colour = "green" if promotion["promoted"] else "yellow"
    console.print(f"[{colour}]{promotion['reason']}")
    _print_evaluation()


def _print_evaluation() -> None:
    from models.knowledge_tracing import registry

    settings = get_settings()
    registry.use_tracking(settings.mlflow_tracking_uri, str(settings.mlflow_artifacts_dir))
    summary = registry.production_summary()
    if summary is None:
        console.print("[red]no version in production yet: run `xi learning train`")
        raise typer.Exit(1)
    for key, value in summary.items():
        console.print(
            f"{key:>20}: {value:.4f}" if isinstance(value, float) else f"{key:>20}: {value}"
        )
    print(json.dumps(summary))  # last line, on stdout: for scripts


@app.command()
def evaluate() -> None:
    """Show the production version's test numbers; the last line is JSON."""
    _print_evaluation()
