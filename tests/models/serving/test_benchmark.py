"""The benchmark finds the knowledge-tracing model by its signature, not by its name."""

from __future__ import annotations

import shutil
from pathlib import Path

from models.serving import benchmark


def test_find_model_by_signature(tmp_path: Path, exported: dict[int, Path]) -> None:
    assert benchmark.find_model(tmp_path / "missing") is None
    (tmp_path / "other" / "1").mkdir(parents=True)  # no saved_model.pb: not a model version
    assert benchmark.find_model(tmp_path) is None
    shutil.copytree(exported[1], tmp_path / "kt_v2" / "3")
    assert benchmark.find_model(tmp_path) == "kt_v2"
