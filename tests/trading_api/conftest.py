"""Fixtures shared by the trading API's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from xi import cargo
from xi.settings import Settings
from xi.stack.engine import binary


@pytest.fixture(scope="session")
def engine_binary(running_stack: Settings) -> Path:
    cargo.build_release(running_stack, "engine-service")
    return binary(running_stack)
