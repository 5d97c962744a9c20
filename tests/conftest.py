"""Shared fixtures: the real local stack, started once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from xi.settings import Settings, get_settings
from xi.stack import stack


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def running_stack(settings: Settings) -> Iterator[Settings]:
    """Every server of the stack, up and healthy (started if needed; left running after)."""
    stack.up(settings, report=lambda _step: None)
    yield settings
