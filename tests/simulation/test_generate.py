"""The simulator's stream on its own: reproducible, configurable, valid, exactly labelled."""

from __future__ import annotations

from collections import Counter

import pytest

from xi import contracts, topics
from xi.simulation.config import ConfigError, SimulationConfig
from xi.simulation.generate import simulate
from xi.simulation.labels import ABUSE, RISK

SHORT = SimulationConfig(minutes=0.5, seed=11)


def _stream(config: SimulationConfig) -> bytes:
    return b"\n".join(key + b"\t" + value for key, value in simulate(config).encoded())


def test_same_seed_gives_the_same_stream_byte_for_byte() -> None:
    first, second = _stream(SHORT), _stream(SimulationConfig(minutes=0.5, seed=11))
    assert len(first) > 100_000
    assert first == second


def test_another_seed_gives_another_stream() -> None:
    other = SimulationConfig(minutes=0.5, seed=12)
    assert _stream(SHORT) != _stream(other)
    # Not just other ids: other prices and sizes.
    prices = {
        seed: [c.get("price") for c in simulate(SimulationConfig(minutes=0.5, seed=seed)).commands]
        for seed in (11, 12)
    }
    assert prices[11] != prices[12]


def test_every_command_matches_the_orders_contract_and_carries_simulated_time() -> None:
    run = simulate(SHORT)
    times = [c["ts_ns"] for c in run.commands]
    assert times == sorted(times)
    assert SHORT.start_ns <= times[0] and times[-1] <= SHORT.start_ns + SHORT.duration_ns
    for command in run.commands:
        contracts.validate(topics.ORDERS, command)
    assert len({c["command_id"] for c in run.commands}) == len(run.commands)
    assert all(c["account"] >= SHORT.account_base for c in run.commands if "account" in c)


def test_every_typology_is_labelled_with_its_own_commands() -> None:
    run = simulate(SimulationConfig(minutes=1, seed=7))
    by_id = {c["command_id"]: c for c in run.commands}
    assert {label.typology for label in run.labels} == set(ABUSE) | set(RISK)
    for label in run.labels:
        contracts.validate(topics.LABELS, label.message())
        commands = [by_id[c] for c in label.command_ids]
        assert {c["account"] for c in commands} <= set(label.accounts)
        assert min(c["ts_ns"] for c in commands) == label.start_ns
        assert max(c["ts_ns"] for c in commands) == label.end_ns
        if label.typology != "account_takeover":  # a taken-over account trades everywhere
            assert {c["symbol"] for c in commands} == {label.symbol}
    wash = next(label for label in run.labels if label.typology == "wash_trading")
    assert {run.owners[a] for a in wash.accounts} == {wash.owner}
    ring = next(label for label in run.labels if label.typology == "wash_ring")
    assert len({run.owners[a] for a in ring.accounts}) == len(ring.accounts) == 3


def test_pump_and_dump_happens_in_the_thinnest_symbol() -> None:
    run = simulate(SimulationConfig(minutes=1, seed=7))
    (pump,) = [label for label in run.labels if label.typology == "pump_and_dump"]
    assert pump.symbol == "XITUSDT"


def test_configuration_changes_what_is_generated() -> None:
    base = simulate(SimulationConfig(minutes=0.5, seed=3))
    busier = simulate(SimulationConfig(minutes=1, seed=3, abuse_intensity=3))
    two = simulate(SimulationConfig(minutes=0.5, seed=3, symbols=("BTCUSDT", "XITUSDT")))
    assert len(busier.commands) > 1.5 * len(base.commands)
    counts = Counter(label.typology for label in busier.labels)
    assert counts["wash_trading"] == 3 and counts["pump_and_dump"] >= 1
    assert {c["symbol"] for c in two.commands} == {"BTCUSDT", "XITUSDT"}
    quiet = simulate(SimulationConfig(minutes=0.5, seed=3, abuse_intensity=0))
    assert not [label for label in quiet.labels if label.category == "abuse"]


@pytest.mark.parametrize(
    "change",
    [{"minutes": 0}, {"symbols": ("DOGEUSDT",)}, {"symbols": ()}, {"traders": 1}, {"step_ms": 1}],
)
def test_bad_configuration_is_refused_with_its_name(change: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=next(iter(change)).split("_")[0]):
        SimulationConfig(**change)  # type: ignore[arg-type]


def test_renumbering_moves_commands_labels_and_owners_to_platform_accounts() -> None:
    run = simulate(SimulationConfig(minutes=0.5, seed=4))
    platform = {account: 10 + number for number, account in enumerate(sorted(run.owners))}
    moved = run.renumbered(platform)
    assert {c["account"] for c in moved.commands if "account" in c} <= set(platform.values())
    for before, after in zip(run.labels, moved.labels, strict=True):
        assert after.accounts == [platform[a] for a in before.accounts]
        assert after.command_ids == before.command_ids
    wash = next(label for label in moved.labels if label.typology == "wash_trading")
    assert {moved.owners[a] for a in wash.accounts} == {wash.owner}
    assert run.commands[10]["account"] != moved.commands[10]["account"]
