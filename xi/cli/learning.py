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
# Mastery thresholds (on each estimator's own 0..1 scale) tried on the calibration learners.
CANDIDATE_THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8)


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
    learners: Annotated[int, typer.Option(help="simulated learners measured")] = 200,
    seed: Annotated[int, typer.Option(help="seed of the measured learners")] = 0,
    calibration_learners: Annotated[
        int, typer.Option(help="learners on which each estimator's threshold is chosen")
    ] = 40,
    calibration_seed: Annotated[
        int, typer.Option(help="seed of the calibration learners; must differ from --seed")
    ] = 1,
) -> None:
    """Lessons to mastery on simulated learners: personalised paths against the fixed syllabus.

    Mastery comes from the newest version in the model base path (the one the model server
    serves, loaded in-process) and, for comparison, from a recent-accuracy estimator. Each
    estimator's mastery threshold is chosen on calibration learners, then every policy is
    measured on other learners. JSON on the last line.
    """
    from trading_api.learning import course_path, curriculum, simulation
    from trading_api.learning.mastery import MODEL_NAME, MasteryEstimator, SavedKnowledgeModel

    if calibration_seed == seed:
        raise typer.BadParameter("the calibration learners must not be the measured ones")
    folder = get_settings().model_base_path / MODEL_NAME
    versions = sorted(int(p.name) for p in folder.glob("*") if p.name.isdigit())
    if not versions:
        console.print(f"[red]no version in {folder}: run `xi learning train` first")
        raise typer.Exit(1)
    lessons = curriculum.load()
    estimators = {
        "knowledge_tracing": MasteryEstimator(
            lessons, SavedKnowledgeModel(str(folder / str(versions[-1])), versions[-1])
        ),
        "recent_accuracy": MasteryEstimator(lessons, simulation.RecentAccuracyModel()),
    }
    policies: dict[str, simulation.Policy] = {"syllabus": simulation.syllabus_policy}
    thresholds: dict[str, float] = {}
    with Progress(console=console) as progress:
        for name, estimator in estimators.items():
            task = progress.add_task(f"calibrating {name}", total=calibration_learners)
            thresholds[name], tried = simulation.calibrate_threshold(
                lessons,
                estimator,
                CANDIDATE_THRESHOLDS,
                calibration_learners,
                calibration_seed,
                progress=lambda done, task=task: progress.update(task, completed=done),
            )
            tried_text = ", ".join(f"{r.policy}: {r.mean_lessons}" for r in tried)
            console.print(f"{name} threshold {thresholds[name]} (calibration: {tried_text})")
            policies[f"{name}_fixed"] = simulation.personalised(estimator)
            policies[f"{name}_calibrated"] = simulation.personalised(estimator, thresholds[name])
        task = progress.add_task("simulated learners", total=learners)
        results = simulation.compare(
            lessons,
            policies,
            learners,
            seed,
            progress=lambda done: progress.update(task, completed=done),
        )
    console.print(
        f"fixed threshold {course_path.MASTERY_THRESHOLD}; seeds {seed} (measured), "
        f"{calibration_seed} (calibration)"
    )
    for result in results:
        console.print(
            f"{result.policy:>28}: {result.mean_lessons} lessons on average "
            f"(median {result.median_lessons}), mastery reached by "
            f"{result.reached_mastery:.0%}"
        )
    print(
        json.dumps(
            {
                "model_version": versions[-1],
                "seed": seed,
                "calibration_seed": calibration_seed,
                **{f"{name}_threshold": value for name, value in thresholds.items()},
                **{f"{r.policy}_mean_lessons": r.mean_lessons for r in results},
            }
        )
    )
