"""Fixtures for the model tests: a small slice of the data and one quickly trained bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.knowledge_tracing import data
from models.knowledge_tracing.training import TrainConfig, train_all

SLICE = 500  # training-file learners: enough for the model to pass the baseline, in seconds


@pytest.fixture(scope="session")
def slice_learners() -> tuple[list[data.Learner], list[data.Learner]]:
    learners = data.load_file(data.TRAIN_FILE, limit=SLICE)
    return data.split_learners(learners, 0.2, seed=7)


@pytest.fixture(scope="session")
def held_out_learners() -> list[data.Learner]:
    return data.load_file(data.TEST_FILE, limit=200)


@pytest.fixture(scope="session")
def bundle(
    tmp_path_factory: pytest.TempPathFactory,
    slice_learners: tuple[list[data.Learner], list[data.Learner]],
) -> Path:
    """The three models trained on the slice, as the training component writes them."""
    out = tmp_path_factory.mktemp("bundle")
    train, validation = slice_learners
    train_all(train, validation, TrainConfig().quick(), out)
    return out
