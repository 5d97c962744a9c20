"""Ground truth round-trips: the file and `labels.v1` carry the same labels, valid by contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulation.conftest import SimulatedMarket
from xi import contracts, topics
from xi.simulation import labels
from xi.simulation.runner import end_offsets, publish_labels, read_range


def test_labels_round_trip_through_kafka_and_match_the_file(
    simulated_minute: SimulatedMarket, tmp_path: Path
) -> None:
    m = simulated_minute
    path = tmp_path / "labels.jsonl"
    labels.write_jsonl(m.simulation.labels, path)
    topic = m.route.topic(topics.LABELS)
    since = end_offsets(m.settings, topic)
    publish_labels(m.settings, m.route, m.simulation.labels)

    published = read_range(m.settings, topic, since)
    from_kafka = sorted(
        (labels.from_message(message) for _, message in published), key=lambda x: x.scenario_id
    )
    from_file = sorted(labels.read_jsonl(path), key=lambda x: x.scenario_id)
    assert from_kafka == from_file
    assert from_file == sorted(m.simulation.labels, key=lambda x: x.scenario_id)
    assert len(from_file) >= 10


def test_a_label_that_breaks_the_contract_is_refused(simulated_minute: SimulatedMarket) -> None:
    message = simulated_minute.simulation.labels[0].message()
    changes: list[dict[str, object]] = [
        {"typology": "insider"},
        {"command_ids": []},
        {"start_ns": -1},
    ]
    for change in changes:
        with pytest.raises(contracts.ContractError):
            labels.from_message({**message, **change})
