"""A real model server on ephemeral ports over a temporary base path of real SavedModels."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import httpx
import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import model_service_pb2_grpc, prediction_service_pb2_grpc

from models.serving import demo_model
from models.serving.server import ModelServer, ServerOptions

MODEL = "knowledge_tracing"


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Two versions of the small knowledge-tracing model, different weights, exported once."""
    root = tmp_path_factory.mktemp("exported")
    return {
        version: demo_model.export(demo_model.build(seed=version), root / str(version))
        for version in (1, 2)
    }


@pytest.fixture(scope="session")
def reference(exported: dict[int, Path]) -> Callable[[int, np.ndarray, np.ndarray], np.ndarray]:
    """Mastery as the SavedModel computes it in this process, without any server."""
    signatures = {
        version: tf.saved_model.load(str(path)).signatures["serving_default"]
        for version, path in exported.items()
    }

    def predict(version: int, skill_ids: np.ndarray, correct: np.ndarray) -> np.ndarray:
        out = signatures[version](skill_ids=tf.constant(skill_ids), correct=tf.constant(correct))
        return out["mastery"].numpy()

    return predict


def install_version(exported: dict[int, Path], base_path: Path, version: int) -> Path:
    target = base_path / MODEL / str(version)
    shutil.copytree(exported[version], target)
    return target


@pytest.fixture(scope="module")
def server(
    exported: dict[int, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModelServer]:
    """Serves version 1 of the model; shared by the tests of a module, which only read."""
    base_path = tmp_path_factory.mktemp("models")
    install_version(exported, base_path, 1)
    running = ModelServer(
        ServerOptions(model_base_path=base_path, grpc_port=0, rest_port=0, poll_seconds=0.2)
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def channel(server: ModelServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as opened:
        yield opened


@pytest.fixture(scope="module")
def prediction_stub(channel: grpc.Channel) -> prediction_service_pb2_grpc.PredictionServiceStub:
    return prediction_service_pb2_grpc.PredictionServiceStub(channel)


@pytest.fixture(scope="module")
def model_stub(channel: grpc.Channel) -> model_service_pb2_grpc.ModelServiceStub:
    return model_service_pb2_grpc.ModelServiceStub(channel)


@pytest.fixture(scope="module")
def http(server: ModelServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{server.rest_port}", timeout=30) as client:
        yield client


@pytest.fixture()
def batch() -> tuple[np.ndarray, np.ndarray]:
    """Two learners, the second with a shorter history padded with -1."""
    skills, correct = demo_model.learner_history(12)
    skill_ids = np.stack([skills, np.where(np.arange(12) < 7, skills, demo_model.PADDING)])
    outcomes = np.stack([correct, np.where(np.arange(12) < 7, correct, 0)])
    return skill_ids.astype(np.int32), outcomes.astype(np.int32)
