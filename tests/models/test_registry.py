from __future__ import annotations

from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient

from models.knowledge_tracing import registry
from xi.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(state_dir=tmp_path)
    registry.use_tracking(settings.mlflow_tracking_uri, str(settings.mlflow_artifacts_dir))
    return settings


def _candidate(bundle: Path, test_auc: float) -> str:
    """A registered version whose run reports ``test_auc``."""
    with mlflow.start_run(experiment_id=registry.use_tracking(mlflow.get_tracking_uri())) as run:
        mlflow.log_metrics(
            {
                "test_auc": test_auc,
                "test_accuracy": 0.7,
                "dkt_baseline_auc": 0.6,
                "skill_baseline_auc": 0.65,
            }
        )
    uri = registry.log_model(run.info.run_id, bundle / "saved_model")
    return registry.register(uri, run.info.run_id)


def test_settings_follow_the_state_dir(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    assert settings.model_base_path == tmp_path / "models"
    assert settings.mlflow_tracking_uri == f"sqlite:///{tmp_path}/mlflow/mlflow.db"


def test_gate_promotes_better_and_refuses_worse(bundle: Path, settings: Settings) -> None:
    base = settings.model_base_path
    first = registry.promote(_candidate(bundle, 0.80), base)
    assert first.promoted and first.serving_version == 1
    assert (base / "knowledge_tracing" / "1" / "saved_model.pb").exists()

    worse = _candidate(bundle, 0.75)
    refused = registry.promote(worse, base)
    assert not refused.promoted
    assert "0.7500" in refused.reason and "below production version 1" in refused.reason
    client = MlflowClient()
    assert registry.production_version(client) == first.model_version
    assert sorted(p.name for p in (base / "knowledge_tracing").iterdir()) == ["1"]
    summary = registry.production_summary()
    assert summary["test_auc"] == pytest.approx(0.80)
    assert summary["serving_version"] == 1
    assert (
        summary["mlflow_run_id"]
        == client.get_model_version("knowledge_tracing", first.model_version).run_id
    )

    better = registry.promote(_candidate(bundle, 0.81), base)
    assert better.promoted and better.serving_version == 2
    assert registry.production_version(client) == better.model_version
