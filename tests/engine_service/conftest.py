"""Fixtures of the engine service tests: the release binary and a scratch dir per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from xi import cargo
from xi.settings import Settings
from xi.stack.engine import binary


@pytest.fixture(scope="session")
def engine_binary(running_kafka: Settings) -> Path:
    cargo.build_release(running_kafka, "engine-service")
    return binary(running_kafka)


@pytest.fixture(scope="session")
def running_kafka(settings: Settings) -> Settings:
    """Only Kafka is needed: start it if it is not up (it is left running)."""
    from xi.stack import stack

    stack.up(settings, report=lambda _step: None, names=["kafka"])
    return settings
