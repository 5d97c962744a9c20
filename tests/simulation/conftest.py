"""A simulated minute through a real engine-service process on its own topics of the local
Kafka, run once for the tests that read its signatures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.engine_service import harness
from tests.engine_service.conftest import engine_binary, running_kafka  # noqa: F401 (fixtures)
from xi import topics
from xi.settings import Settings
from xi.simulation.config import SimulationConfig
from xi.simulation.generate import Simulation, simulate
from xi.simulation.runner import EngineOutcome, Pace, Route, ensure_topic, run


@dataclass
class SimulatedMarket:
    settings: Settings
    route: Route
    simulation: Simulation
    outcome: EngineOutcome


@pytest.fixture(scope="session")
def engine_route(
    running_kafka: Settings,  # noqa: F811
    engine_binary: Path,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Route]:
    """An engine process of its own on prefixed topics (the stack's engine serves others)."""
    prefix = harness.unique("sim") + "."
    names = (topics.ORDERS, *harness.OUTPUTS)
    harness.create_topics(running_kafka, [f"{prefix}{n}" for n in names], partitions=4)
    ensure_topic(running_kafka, f"{prefix}{topics.LABELS}")
    tmp = tmp_path_factory.mktemp("sim-engine")
    group = harness.unique("g")
    engine = harness.EngineProcess(
        binary=engine_binary,
        settings=running_kafka,
        orders_topic=f"{prefix}{topics.ORDERS}",
        output_prefix=prefix,
        group=group,
        transactional_id=harness.unique("tx"),
        snapshot_dir=tmp / "snapshots",
        log_dir=tmp / "logs",
    ).start()
    try:
        engine.wait_ready()
        yield Route(prefix=prefix, engine_group=group)
    finally:
        engine.kill()


@pytest.fixture(scope="session")
def simulated_minute(running_kafka: Settings, engine_route: Route) -> SimulatedMarket:  # noqa: F811
    simulation = simulate(SimulationConfig(minutes=1, seed=7))
    outcome = run(running_kafka, simulation, engine_route, Pace(full_speed=True), lambda _s: None)
    return SimulatedMarket(running_kafka, engine_route, simulation, outcome)
