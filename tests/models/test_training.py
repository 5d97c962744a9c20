from __future__ import annotations

import json
from pathlib import Path

from models.knowledge_tracing import data
from models.knowledge_tracing.training import evaluate_all


def test_model_beats_per_skill_baseline_on_held_out_learners(
    bundle: Path, held_out_learners: list[data.Learner], tmp_path: Path
) -> None:
    plot = tmp_path / "roc.png"
    metrics = evaluate_all(bundle, held_out_learners, plot)
    assert metrics["test_auc"] > metrics["skill_baseline_auc"]
    assert 0.5 < metrics["test_accuracy"] <= 1.0
    assert plot.stat().st_size > 0
    validation = json.loads((bundle / "validation.json").read_text())
    assert validation["val_auc"] > validation["skill_baseline_val_auc"]
