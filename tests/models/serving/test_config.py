"""Which models and versions are served: config file, base path, version policies, settling."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from models.serving import config
from models.serving.errors import ServingError
from models.serving.manager import ModelManager, VersionState
from xi.settings import PROJECT_ROOT


def test_production_models_config_parses() -> None:
    [model] = config.from_config_file(PROJECT_ROOT / "infra" / "serving" / "models.config")
    assert model.name == "knowledge_tracing"
    assert model.base_path == Path("/models/knowledge_tracing")
    assert model.policy == config.VersionPolicy(kind="latest", num_versions=1)


def test_config_file_policies_labels_and_relative_paths(tmp_path: Path) -> None:
    path = tmp_path / "models.config"
    path.write_text(
        """
        model_config_list {
          config { name: "a" base_path: "a" model_version_policy { all {} } }
          config {
            name: "b" base_path: "/srv/b"
            model_version_policy { specific { versions: 3 versions: 5 } }
            version_labels { key: "stable" value: 3 }
          }
        }
        """
    )
    a, b = config.from_config_file(path)
    assert a.base_path == tmp_path / "a"
    assert a.policy.choose([1, 3, 2]) == [3, 2, 1]
    assert b.policy.choose([1, 3, 5, 7]) == [5, 3]
    assert b.labels == {"stable": 3}
    assert config.VersionPolicy(num_versions=2).choose([4, 9, 1]) == [9, 4]


def test_bad_config_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "models.config"
    path.write_text('model_config_list { config { name: "a" } }')
    with pytest.raises(ValueError, match="base_path"):
        config.from_config_file(path)


def test_every_folder_of_the_base_path_is_a_model(tmp_path: Path) -> None:
    (tmp_path / "kt" / "1").mkdir(parents=True)
    (tmp_path / "risk").mkdir()
    (tmp_path / ".tmp-export").mkdir()
    (tmp_path / "notes.txt").write_text("")
    assert [m.name for m in config.from_base_path(tmp_path)] == ["kt", "risk"]


def test_incomplete_or_broken_version_is_not_served(
    tmp_path: Path, exported: dict[int, Path]
) -> None:
    version = tmp_path / "kt" / "1"
    shutil.copytree(exported[1] / "variables", version / "variables")
    manager = ModelManager(lambda: config.from_base_path(tmp_path))
    manager.poll()
    manager.poll()
    with pytest.raises(ServingError, match="Could not find any versions"):
        manager.statuses("kt")  # no saved_model.pb: not a version yet
    (version / "saved_model.pb").write_bytes(b"half a protobuf")
    manager.poll()
    manager.poll()
    [status] = manager.statuses("kt")
    assert status.state == VersionState.END and status.error  # failed load, error reported
    shutil.copy(exported[1] / "saved_model.pb", version / "saved_model.pb")
    manager.poll()  # files changed: wait for them to settle
    manager.poll()
    [status] = manager.statuses("kt")
    assert status.state == VersionState.AVAILABLE and not status.error
    assert manager.servable("kt").version == 1
