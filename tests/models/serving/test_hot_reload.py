"""New versions appearing in the base path are served without a restart; old ones are unloaded."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from models.serving import demo_model
from models.serving.server import ModelServer, ServerOptions
from tests.models.serving.conftest import MODEL, install_version


@pytest.fixture()
def base_path(tmp_path: Path, exported: dict[int, Path]) -> Path:
    install_version(exported, tmp_path, 1)
    return tmp_path


@pytest.fixture()
def reloading_server(base_path: Path) -> Iterator[ModelServer]:
    running = ModelServer(
        ServerOptions(model_base_path=base_path, grpc_port=0, rest_port=0, poll_seconds=0.2)
    )
    running.start()
    yield running
    running.stop()


def _states(http: httpx.Client) -> dict[str, str]:
    statuses = http.get(f"/v1/models/{MODEL}").json()["model_version_status"]
    return {s["version"]: s["state"] for s in statuses}


def _wait_for(condition: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_new_version_is_served_and_old_one_unloaded(
    reloading_server: ModelServer,
    base_path: Path,
    exported: dict[int, Path],
    reference: Callable[..., np.ndarray],
) -> None:
    skills, correct = demo_model.learner_history(20)
    body = {"instances": [{"skill_ids": skills.tolist(), "correct": correct.tolist()}]}
    url = f"http://127.0.0.1:{reloading_server.rest_port}"
    with httpx.Client(base_url=url, timeout=30) as http:
        assert _states(http) == {"1": "AVAILABLE"}

        # A half-written version: variables but no saved_model.pb yet. It must be left alone.
        half = base_path / MODEL / "2"
        shutil.copytree(exported[2] / "variables", half / "variables")
        time.sleep(1.0)
        assert _states(http) == {"1": "AVAILABLE"}

        shutil.copy(exported[2] / "saved_model.pb", half / "saved_model.pb")
        shutil.copytree(exported[2], half, dirs_exist_ok=True)
        _wait_for(lambda: _states(http) == {"2": "AVAILABLE", "1": "END"})

        answer = http.post(f"/v1/models/{MODEL}:predict", json=body).json()
        np.testing.assert_allclose(
            np.array(answer["predictions"], np.float32),
            reference(2, skills[None], correct[None]),
            rtol=1e-5,
            atol=1e-6,
        )
        assert not np.allclose(answer["predictions"], reference(1, skills[None], correct[None]))
        gone = http.post(f"/v1/models/{MODEL}/versions/1:predict", json=body)
        assert gone.status_code == 404
