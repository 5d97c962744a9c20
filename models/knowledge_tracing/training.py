"""Training of the main model, the DKT baseline and the per-skill baseline on one split.

Everything is chosen on the validation learners (epochs by early stopping on validation AUC,
the baseline's pseudo-count); the test file is not read here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from models.knowledge_tracing import data
from models.knowledge_tracing.baseline import PSEUDO_ATTEMPTS, SkillBaseline
from models.knowledge_tracing.metrics import scores
from models.knowledge_tracing.model import DKT, MAIN, ModelConfig

Report = Callable[[str], None]
MetricSink = Callable[[dict[str, float], int], None]


def configure_threads(threads: int) -> None:
    """Bound TensorFlow's CPU threads (the machine is shared); only effective before use."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TensorFlow already started: keep its pools
        pass


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run depends on; logged as the run's parameters."""

    max_length: int = 200
    validation_fraction: float = 0.2
    seed: int = 7
    epochs: int = 12
    dkt_epochs: int = 12
    patience: int = 2
    batch_size: int = 64
    learning_rate: float = 3e-3
    threads: int = 2
    main: ModelConfig = field(default_factory=ModelConfig)
    dkt: ModelConfig = field(default_factory=lambda: ModelConfig(kind=DKT, dropout=0.5))

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        values: dict[str, Any] = json.loads(text)
        values["main"] = ModelConfig(**values["main"])
        values["dkt"] = ModelConfig(**values["dkt"])
        return cls(**values)

    def params(self) -> dict[str, Any]:
        """Flat parameters for MLflow."""
        flat = {k: v for k, v in asdict(self).items() if k not in ("main", "dkt")}
        flat |= {f"main_{k}": v for k, v in self.main.to_dict().items()}
        flat |= {f"dkt_{k}": v for k, v in self.dkt.to_dict().items()}
        return flat

    def quick(self) -> TrainConfig:
        """Seconds, not minutes: small models, few epochs (smoke runs and tests)."""
        return replace(
            self,
            epochs=min(self.epochs, 3),
            dkt_epochs=min(self.dkt_epochs, 2),
            batch_size=32,
            learning_rate=5e-3,
            main=replace(self.main, hidden=64, embedding=16, head=16),
            dkt=replace(self.dkt, hidden=32),
        )


def _fit_one(
    config: ModelConfig,
    train: data.Windows,
    validation: data.Windows,
    settings: TrainConfig,
    epochs: int,
    prefix: str,
    report: Report,
    sink: MetricSink,
):
    """Fit one Keras model; keep the weights of the epoch with the best validation AUC."""
    import keras

    from models.knowledge_tracing.model import build

    keras.utils.set_random_seed(settings.seed)
    model = build(config, settings.learning_rate)
    best: tuple[float, int, list[np.ndarray]] = (-1.0, -1, model.get_weights())
    train_data = data.dataset(train, settings.batch_size, shuffle_seed=settings.seed)
    for epoch in range(epochs):
        history = model.fit(train_data, epochs=1, verbose=0, shuffle=False)
        loss = float(history.history["loss"][-1])
        validation_scores = scores(validation, data.predict(model, validation))
        auc = validation_scores["auc"]
        sink({f"{prefix}_loss": loss, f"{prefix}_val_auc": auc}, epoch)
        report(f"{prefix} epoch {epoch + 1}/{epochs}: loss {loss:.4f}, validation AUC {auc:.4f}")
        if auc > best[0]:
            best = (auc, epoch, model.get_weights())
        elif epoch - best[1] >= settings.patience:
            report(f"{prefix}: no gain for {settings.patience} epochs, stopping")
            break
    model.set_weights(best[2])
    return model, {"val_auc": best[0], "best_epoch": best[1] + 1}


def save_keras(model, config: ModelConfig, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config.to_dict()))
    model.save_weights(folder / "model.weights.h5")


def load_keras(folder: Path):
    from models.knowledge_tracing.model import build

    model = build(ModelConfig(**json.loads((folder / "config.json").read_text())))
    model.load_weights(folder / "model.weights.h5")
    return model


def train_all(
    train_learners: list[data.Learner],
    validation_learners: list[data.Learner],
    settings: TrainConfig,
    out: Path,
    report: Report = lambda _step: None,
    sink: MetricSink = lambda _metrics, _step: None,
) -> dict[str, float]:
    """Train the three models and write them (and the serving export) into ``out``.

    Returns the validation metrics.
    """
    from models.knowledge_tracing.serving import export_saved_model

    configure_threads(settings.threads)
    train = data.make_windows(train_learners, settings.max_length)
    validation = data.make_windows(validation_learners, settings.max_length)
    report(
        f"{len(train_learners)} training learners ({len(train)} windows), "
        f"{len(validation_learners)} validation learners"
    )

    baseline = SkillBaseline.fit(train_learners)
    by_pseudo = {
        m: scores(validation, baseline.with_pseudo_attempts(m).predict(validation))["auc"]
        for m in PSEUDO_ATTEMPTS
    }
    chosen = max(by_pseudo, key=by_pseudo.__getitem__)
    baseline = baseline.with_pseudo_attempts(chosen)
    report(f"skill baseline: pseudo-attempts {chosen:g}, validation AUC {by_pseudo[chosen]:.4f}")

    main, main_info = _fit_one(
        settings.main, train, validation, settings, settings.epochs, MAIN, report, sink
    )
    dkt, dkt_info = _fit_one(
        settings.dkt, train, validation, settings, settings.dkt_epochs, DKT, report, sink
    )

    out.mkdir(parents=True, exist_ok=True)
    save_keras(main, settings.main, out / MAIN)
    save_keras(dkt, settings.dkt, out / DKT)
    baseline.save(out / "skill_baseline.json")
    export_saved_model(main, out / "saved_model")
    (out / "train_config.json").write_text(settings.to_json())
    metrics = {
        "val_auc": main_info["val_auc"],
        "best_epoch": main_info["best_epoch"],
        "dkt_val_auc": dkt_info["val_auc"],
        "dkt_best_epoch": dkt_info["best_epoch"],
        "skill_baseline_val_auc": by_pseudo[chosen],
        "skill_baseline_pseudo_attempts": chosen,
    }
    (out / "validation.json").write_text(json.dumps(metrics))
    return metrics


def evaluate_all(bundle: Path, test_learners: list[data.Learner], plot: Path | None = None):
    """Test metrics of the three models in ``bundle`` (the one read of the test data)."""
    from models.knowledge_tracing.metrics import roc_plot

    settings = TrainConfig.from_json((bundle / "train_config.json").read_text())
    configure_threads(settings.threads)
    test = data.make_windows(test_learners, settings.max_length)
    predictions = {
        "model": data.predict(load_keras(bundle / MAIN), test),
        "DKT baseline": data.predict(load_keras(bundle / DKT), test),
        "skill baseline": SkillBaseline.load(bundle / "skill_baseline.json").predict(test),
    }
    model, dkt, skill = (scores(test, p) for p in predictions.values())
    metrics = {
        "test_auc": model["auc"],
        "test_accuracy": model["accuracy"],
        "dkt_baseline_auc": dkt["auc"],
        "dkt_baseline_accuracy": dkt["accuracy"],
        "skill_baseline_auc": skill["auc"],
        "skill_baseline_accuracy": skill["accuracy"],
        "test_attempts": model["attempts"],
    }
    if plot is not None:
        roc_plot(test, predictions, plot, "Knowledge tracing, ASSISTments 2009 test")
    return metrics
