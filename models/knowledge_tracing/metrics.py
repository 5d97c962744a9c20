"""Evaluation: AUC and accuracy over the scored attempts, and the ROC plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from models.knowledge_tracing.data import Windows


def scores(windows: Windows, probabilities: np.ndarray) -> dict[str, float]:
    """AUC and accuracy (threshold 0.5) over every scored attempt of ``windows``."""
    mask = windows.scored > 0
    targets, predicted = windows.targets[mask], probabilities[mask]
    return {
        "auc": float(roc_auc_score(targets, predicted)),
        "accuracy": float(np.mean((predicted >= 0.5) == (targets > 0.5))),
        "attempts": int(mask.sum()),
    }


def roc_plot(windows: Windows, curves: dict[str, np.ndarray], path: Path, title: str) -> Path:
    """ROC curves of several models on the same attempts, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    mask = windows.scored > 0
    figure, axes = plt.subplots(figsize=(5.5, 5))
    for name, probabilities in curves.items():
        fpr, tpr, _ = roc_curve(windows.targets[mask], probabilities[mask])
        auc = roc_auc_score(windows.targets[mask], probabilities[mask])
        axes.plot(fpr, tpr, label=f"{name} (AUC {auc:.3f})")
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey")
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate")
    axes.set_title(title)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
