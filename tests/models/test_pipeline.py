from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import yaml

from models.knowledge_tracing import registry
from models.knowledge_tracing.pipeline import compile_pipeline, run_locally
from models.knowledge_tracing.training import TrainConfig
from xi.settings import Settings

COMPONENTS = ("prepare-data", "train-models", "evaluate", "register")


def test_pipeline_compiles_to_yaml(tmp_path: Path) -> None:
    spec = yaml.safe_load(compile_pipeline(tmp_path / "pipeline.yaml").read_text())
    assert spec["pipelineInfo"]["name"] == "knowledge-tracing"
    tasks = spec["root"]["dag"]["tasks"]
    assert set(tasks) == set(COMPONENTS)
    assert tasks["register"]["dependentTasks"] == ["evaluate", "train-models"] or set(
        tasks["register"]["dependentTasks"]
    ) == {"evaluate", "train-models"}


def test_pipeline_runs_locally_on_a_small_slice(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    config = replace(TrainConfig().quick(), epochs=1, dkt_epochs=1)
    result = run_locally(
        config.to_json(),
        settings.mlflow_tracking_uri,
        settings.model_base_path,
        settings.mlflow_artifacts_dir,
        tmp_path / "kfp",
        limit=60,
    )
    promotion = json.loads(result.promotion)
    assert promotion["promoted"] and promotion["serving_version"] == 1
    assert (settings.model_base_path / "knowledge_tracing" / "1" / "saved_model.pb").exists()
    registry.use_tracking(settings.mlflow_tracking_uri)
    summary = registry.production_summary()
    assert summary is not None
    assert set(summary) == {"model_version", "mlflow_run_id", "serving_version", *registry.REPORTED}
    assert summary["serving_version"] == 1
    run = registry.MlflowClient().get_run(summary["mlflow_run_id"])
    assert run.info.run_id == (
        registry.MlflowClient().get_model_version(registry.MODEL_NAME, "1").run_id
    )
    assert "main_val_auc" in run.data.metrics and "promotion" in run.data.tags
    artifacts = [a.path for a in registry.MlflowClient().list_artifacts(run.info.run_id)]
    assert "roc_test.png" in artifacts
