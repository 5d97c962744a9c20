"""The knowledge-tracing road as a Kubeflow pipeline (kfp v2).

prepare data -> train (model + both baselines, tracked in MLflow) -> evaluate on the test file
-> register and promote past the gate (export to the model base path). Each component imports
the project's code, so the image that runs it (or the local environment, with kfp's local
SubprocessRunner) must have the project installed.
"""

# No `from __future__ import annotations`: kfp reads the real annotation objects.

from pathlib import Path
from typing import NamedTuple

from kfp import dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

from models.knowledge_tracing.data import DATA_DIR

# The image a cluster runs the components in: the project installed on Python 3.11.
IMAGE = "exchange-intelligence/models:0.1.0"


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def prepare_data(
    data_dir: str,
    validation_fraction: float,
    seed: int,
    limit: int,
    train: Output[Dataset],
    validation: Output[Dataset],
    test: Output[Dataset],
) -> None:
    """Parse the files; split the training file by learner into train and validation."""
    from pathlib import Path

    from models.knowledge_tracing import data

    folder = Path(data_dir)
    learners = data.load_file(folder / data.TRAIN_FILE.name, limit=limit or None)
    # The quick slice keeps the test file in proportion to the training slice.
    test_learners = data.load_file(folder / data.TEST_FILE.name, limit=(limit // 2) or None)
    train_learners, validation_learners = data.split_learners(learners, validation_fraction, seed)
    for artifact, part in (
        (train, train_learners),
        (validation, validation_learners),
        (test, test_learners),
    ):
        data.save_learners(part, Path(artifact.path))
        artifact.metadata.update(data.summary(part))


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def train_models(
    train: Input[Dataset],
    validation: Input[Dataset],
    config_json: str,
    tracking_uri: str,
    artifacts_dir: str,
    model: Output[Model],
    validation_metrics: Output[Metrics],
) -> str:
    """Train the model and both baselines in one MLflow run; returns the run id."""
    import json
    from pathlib import Path

    import mlflow

    from models.knowledge_tracing import data, registry, training

    settings = training.TrainConfig.from_json(config_json)
    experiment_id = registry.use_tracking(tracking_uri, artifacts_dir)
    with mlflow.start_run(experiment_id=experiment_id) as run:
        mlflow.log_params(settings.params())
        metrics = training.train_all(
            data.read_learners(Path(train.path)),
            data.read_learners(Path(validation.path)),
            settings,
            Path(model.path),
            report=lambda step: print(step, flush=True),
            sink=lambda values, step: mlflow.log_metrics(values, step=step),
        )
        mlflow.log_metrics(metrics)
    Path(validation_metrics.path).write_text(json.dumps(metrics))
    for name, value in metrics.items():
        validation_metrics.log_metric(name, value)
    return run.info.run_id


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def evaluate(
    model: Input[Model],
    test: Input[Dataset],
    run_id: str,
    tracking_uri: str,
    test_metrics: Output[Metrics],
) -> None:
    """Test AUC and accuracy of the model and both baselines, with the ROC plot, into the run."""
    import json
    import tempfile
    from pathlib import Path

    import mlflow

    from models.knowledge_tracing import data, registry, training

    registry.use_tracking(tracking_uri)
    with tempfile.TemporaryDirectory() as scratch:
        plot = Path(scratch) / "roc_test.png"
        metrics = training.evaluate_all(Path(model.path), data.read_learners(Path(test.path)), plot)
        with mlflow.start_run(run_id=run_id):
            mlflow.log_metrics(metrics)
            mlflow.log_artifact(str(plot))
    Path(test_metrics.path).write_text(json.dumps(metrics))
    for name, value in metrics.items():
        test_metrics.log_metric(name, value)
    print(json.dumps(metrics), flush=True)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def register(
    model: Input[Model],
    test_metrics: Input[Metrics],
    run_id: str,
    tracking_uri: str,
    model_base_path: str,
) -> str:
    """Log and register the model; promote it if it passes the gate. Returns the outcome."""
    from pathlib import Path

    import mlflow

    from models.knowledge_tracing import registry

    registry.use_tracking(tracking_uri)
    model_uri = registry.log_model(run_id, Path(model.path) / "saved_model")
    version = registry.register(model_uri, run_id)
    outcome = registry.promote(version, Path(model_base_path))
    with mlflow.start_run(run_id=run_id):
        mlflow.set_tag("promotion", outcome.reason)
    print(outcome.reason, flush=True)
    return outcome.to_json()


@dsl.pipeline(name="knowledge-tracing", description="Train, evaluate, register, export.")
def knowledge_tracing_pipeline(
    config_json: str,
    tracking_uri: str,
    model_base_path: str,
    artifacts_dir: str = "",
    data_dir: str = str(DATA_DIR),
    validation_fraction: float = 0.2,
    seed: int = 7,
    limit: int = 0,
) -> str:
    data = prepare_data(
        data_dir=data_dir, validation_fraction=validation_fraction, seed=seed, limit=limit
    )
    trained = train_models(
        train=data.outputs["train"],
        validation=data.outputs["validation"],
        config_json=config_json,
        tracking_uri=tracking_uri,
        artifacts_dir=artifacts_dir,
    )
    evaluated = evaluate(
        model=trained.outputs["model"],
        test=data.outputs["test"],
        run_id=trained.outputs["Output"],
        tracking_uri=tracking_uri,
    )
    registered = register(
        model=trained.outputs["model"],
        test_metrics=evaluated.outputs["test_metrics"],
        run_id=trained.outputs["Output"],
        tracking_uri=tracking_uri,
        model_base_path=model_base_path,
    )
    return registered.output


def compile_pipeline(path: Path) -> Path:
    from kfp import compiler

    compiler.Compiler().compile(knowledge_tracing_pipeline, str(path))
    return path


class RunResult(NamedTuple):
    promotion: str
    pipeline_root: Path


def run_locally(
    config_json: str,
    tracking_uri: str,
    model_base_path: Path,
    artifacts_dir: Path,
    pipeline_root: Path,
    limit: int = 0,
) -> RunResult:
    """Run the pipeline with kfp's local runner in this environment; the promotion outcome."""
    from kfp import local

    pipeline_root.mkdir(parents=True, exist_ok=True)
    local.init(
        runner=local.SubprocessRunner(use_venv=False),
        pipeline_root=str(pipeline_root),
        raise_on_error=True,
    )
    task = knowledge_tracing_pipeline(
        config_json=config_json,
        tracking_uri=tracking_uri,
        model_base_path=str(model_base_path),
        artifacts_dir=str(artifacts_dir),
        limit=limit,
    )
    return RunResult(task.output, pipeline_root)
