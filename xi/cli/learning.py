"""`xi learning`: the knowledge-tracing model's road (train through the pipeline, evaluate)."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Annotated

import typer
from rich.progress import Progress

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


@app.command("compare-paths")
def compare_paths(
    learners: Annotated[int, typer.Option(help="simulated learners")] = 200,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Lessons to mastery on simulated learners: personalised path against the fixed syllabus.

    Uses the newest version in the model base path, the one the model server serves, loaded
    in-process. JSON on the last line.
    """
    from trading_api.learning import curriculum, simulation
    from trading_api.learning.mastery import MODEL_NAME, SavedKnowledgeModel

    folder = get_settings().model_base_path / MODEL_NAME
    versions = sorted(int(p.name) for p in folder.glob("*") if p.name.isdigit())
    if not versions:
        console.print(f"[red]no version in {folder}: run `xi learning train` first")
        raise typer.Exit(1)
    model = SavedKnowledgeModel(str(folder / str(versions[-1])), versions[-1])
    with Progress(console=console) as progress:
        task = progress.add_task("simulated learners", total=learners)
        results = simulation.compare(
            curriculum.load(),
            model,
            learners,
            seed,
            progress=lambda done: progress.update(task, completed=done),
        )
    for result in results:
        console.print(
            f"{result.policy:>12}: {result.mean_lessons} lessons on average "
            f"(median {result.median_lessons}), mastery reached by "
            f"{result.reached_mastery:.0%}"
        )
    print(
        json.dumps(
            {
                "model_version": versions[-1],
                **{f"{r.policy}_mean_lessons": r.mean_lessons for r in results},
            }
        )
    )
