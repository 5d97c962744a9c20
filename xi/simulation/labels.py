"""Ground truth of a run: one label per injected scenario, exactly naming its orders.

Labels go to a JSON-lines file and to `labels.v1` (keyed by symbol, like the engine's input),
so that pipelines and evaluations can join them to the engine's events by command id, account
and time. Each message matches `xi/contracts/labels.v1.schema.json`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from xi import contracts, topics

ABUSE = (
    "wash_trading",  # one owner on both sides
    "wash_ring",  # colluding accounts trading in a circle
    "spoofing",  # one large order, cancelled, while executing on the other side
    "layering",  # several levels of such orders
    "pump_and_dump",
    "momentum_ignition",
    "marking_the_close",
)
RISK = ("concentration", "fat_finger", "account_takeover")


@dataclass
class Label:
    scenario_id: str
    run_id: str
    seed: int
    category: str  # "abuse" or "risk"
    typology: str
    symbol: str
    accounts: list[int]
    owner: int | None  # the one beneficial owner behind every account, when there is one
    side: str | None  # the direction the scenario pushes the price, when it pushes one
    start_ns: int  # simulated time of the first labelled command
    end_ns: int  # and of the last
    command_ids: list[str] = field(default_factory=list)

    def message(self) -> dict[str, Any]:
        return asdict(self)

    def encode(self) -> tuple[bytes, bytes]:
        """The Kafka (key, value): keyed by symbol."""
        return self.symbol.encode(), json.dumps(self.message(), separators=(",", ":")).encode()


def from_message(message: dict[str, Any]) -> Label:
    contracts.validate(topics.LABELS, message)
    return Label(**message)


def write_jsonl(labels: list[Label], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        for label in labels:
            out.write(json.dumps(label.message(), separators=(",", ":")) + "\n")


def read_jsonl(path: Path) -> list[Label]:
    return [from_message(json.loads(line)) for line in path.read_text().splitlines() if line]


@dataclass
class Evidence:
    """What a scenario records while it runs; becomes its label at the end of the run."""

    category: str
    typology: str
    symbol: str
    accounts: list[int]
    owner: int | None = None
    side: str | None = None
    command_ids: list[str] = field(default_factory=list)
    times_ns: list[int] = field(default_factory=list)

    def record(self, command_id: str | None, now_ns: int) -> None:
        if command_id is not None:
            self.command_ids.append(command_id)
            self.times_ns.append(now_ns)

    def label(self, run_id: str, seed: int, number: int) -> Label | None:
        """None when the scenario never got to send anything."""
        if not self.command_ids:
            return None
        return Label(
            scenario_id=f"{run_id}-{self.typology}-{number}",
            run_id=run_id,
            seed=seed,
            category=self.category,
            typology=self.typology,
            symbol=self.symbol,
            accounts=self.accounts,
            owner=self.owner,
            side=self.side,
            start_ns=min(self.times_ns),
            end_ns=max(self.times_ns),
            command_ids=self.command_ids,
        )
