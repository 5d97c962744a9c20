"""MLflow tracking and registry for the knowledge-tracing model, and the serving export.

A registered version is promoted (alias ``production``) only past its evaluation gate: its test
AUC must be at least the production version's. A refused promotion says why and changes
nothing. The promoted version is copied into ``<base>/knowledge_tracing/<n>`` (TF Serving
layout), ``n`` one above the highest version there.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import mlflow
from mlflow import MlflowClient

MODEL_NAME = "knowledge_tracing"
EXPERIMENT = "knowledge_tracing"
PRODUCTION = "production"
GATE_METRIC = "test_auc"
REPORTED = ("test_auc", "test_accuracy", "dkt_baseline_auc", "skill_baseline_auc")


def use_tracking(tracking_uri: str, artifacts_dir: str = "") -> str:
    """Point MLflow at the store and make sure the experiment exists; its id.

    ``artifacts_dir`` places a local store's artifacts (a tracking server manages its own).
    """
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    client = MlflowClient()
    experiment = client.get_experiment_by_name(EXPERIMENT)
    if experiment is not None:
        return experiment.experiment_id
    location = Path(artifacts_dir).resolve().as_uri() if artifacts_dir else None
    return client.create_experiment(EXPERIMENT, artifact_location=location)


class MasteryPyfunc(mlflow.pyfunc.PythonModel):
    """The SavedModel behind MLflow's generic interface: rows of ``skill_ids``/``correct``."""

    def load_context(self, context: Any) -> None:
        import tensorflow as tf

        loaded = tf.saved_model.load(context.artifacts["saved_model"])
        self._serve = loaded.signatures["serving_default"]

    def predict(self, context: Any, model_input: Any, params: Any = None) -> list[list[float]]:
        import numpy as np

        results = []
        for skills, correct in zip(model_input["skill_ids"], model_input["correct"], strict=True):
            out = self._serve(
                skill_ids=np.asarray([skills], np.int32), correct=np.asarray([correct], np.int32)
            )
            results.append(out["mastery"].numpy()[0].tolist())
        return results


def log_model(run_id: str, saved_model: Path) -> str:
    """Log the SavedModel into the run as an MLflow model; its model URI."""
    with mlflow.start_run(run_id=run_id):
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=MasteryPyfunc(),
            artifacts={"saved_model": str(saved_model)},
            # Named here so that MLflow does not load the model to infer them (slow).
            pip_requirements=[f"tensorflow=={_version('tensorflow')}"],
        )
    return info.model_uri


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def register(model_uri: str, run_id: str) -> str:
    """A new registered version of the model; its version number."""
    version = mlflow.register_model(model_uri, MODEL_NAME)
    client = MlflowClient()
    client.set_model_version_tag(MODEL_NAME, version.version, "run_id", run_id)
    return str(version.version)


@dataclass(frozen=True)
class Promotion:
    promoted: bool
    reason: str
    model_version: str
    serving_version: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def _gate_value(client: MlflowClient, version: str) -> float:
    run_id = client.get_model_version(MODEL_NAME, version).run_id
    return client.get_run(run_id).data.metrics[GATE_METRIC]


def production_version(client: MlflowClient) -> str | None:
    try:
        return str(client.get_model_version_by_alias(MODEL_NAME, PRODUCTION).version)
    except mlflow.exceptions.MlflowException:
        return None


def promote(version: str, model_base_path: Path) -> Promotion:
    """Give ``version`` the production alias and export it, if it passes the gate."""
    client = MlflowClient()
    candidate = _gate_value(client, version)
    current = production_version(client)
    if current is not None and current != version:
        incumbent = _gate_value(client, current)
        if candidate < incumbent:
            return Promotion(
                False,
                f"refused: version {version} has {GATE_METRIC} {candidate:.4f}, below "
                f"production version {current} ({incumbent:.4f}); production unchanged",
                version,
            )
    # Export first: if it fails, the alias still names the version that is being served.
    serving_version = export_version(version, model_base_path)
    client.set_registered_model_alias(MODEL_NAME, PRODUCTION, version)
    client.set_model_version_tag(MODEL_NAME, version, "serving_version", str(serving_version))
    against = "no production version yet" if current is None else f"production was {current}"
    return Promotion(
        True,
        f"promoted: version {version} {GATE_METRIC} {candidate:.4f} ({against}); "
        f"exported as serving version {serving_version}",
        version,
        serving_version,
    )


def export_version(version: str, model_base_path: Path) -> int:
    """Copy the version's SavedModel into the next numbered folder of the model base path."""
    root = model_base_path / MODEL_NAME
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()]
    number = max(numbers, default=0) + 1
    with tempfile.TemporaryDirectory(dir=root, prefix=".incoming-") as staging:
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{MODEL_NAME}/{version}", dst_path=staging
        )
        saved_model = next(Path(local).rglob("saved_model.pb")).parent
        # A rename within one folder is atomic: the server never sees a half-copied version.
        saved_model.rename(root / str(number))
    return number


def production_summary() -> dict[str, Any] | None:
    """The production version, its test numbers, its MLflow run and the serving version it was
    exported as; ``None`` when there is none."""
    client = MlflowClient()
    version = production_version(client)
    if version is None:
        return None
    registered = client.get_model_version(MODEL_NAME, version)
    metrics = client.get_run(registered.run_id).data.metrics
    serving_version = registered.tags.get("serving_version")
    return {
        "model_version": int(version),
        **{k: metrics.get(k) for k in REPORTED},
        "mlflow_run_id": registered.run_id,
        "serving_version": int(serving_version) if serving_version else None,
    }
