"""The message contracts of the engine topics: one JSON Schema file per topic in `xi/contracts/`.

The same files are checked by the Rust tests of `engine-service`; a breaking change is a new
topic version (a new file).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from xi import topics

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
TOPICS = (topics.ORDERS, topics.EXECUTIONS, topics.TRADES, topics.BOOK, topics.LABELS)


class ContractError(ValueError):
    """A message does not match its topic's schema; the message says where and why."""


def base_topic(topic: str) -> str:
    """The versioned name inside a prefixed test topic, e.g. `t-1234.orders.v1` -> `orders.v1`."""
    for name in TOPICS:
        if topic == name or topic.endswith(name):
            return name
    raise KeyError(f"no contract for topic {topic!r}; known: {', '.join(TOPICS)}")


@cache
def schema(topic: str) -> dict[str, Any]:
    path = CONTRACTS_DIR / f"{base_topic(topic)}.schema.json"
    return json.loads(path.read_text())


@cache
def _validator(topic: str) -> jsonschema_rs.Draft202012Validator:
    s = schema(topic)
    Draft202012Validator.check_schema(s)
    # Compiled (Rust): the market feeds validate every message they read.
    return jsonschema_rs.Draft202012Validator(s)


def errors(topic: str, message: dict[str, Any]) -> list[str]:
    """Every way `message` breaks the contract of `topic` (empty when it is valid)."""
    validator = _validator(base_topic(topic))
    return [
        f"{'/'.join(str(p) for p in e.instance_path) or '<root>'}: {e.message}"
        for e in validator.iter_errors(message)
    ]


def validate(topic: str, message: dict[str, Any]) -> None:
    """Raise `ContractError` unless `message` matches the schema of `topic`."""
    if _validator(base_topic(topic)).is_valid(message):
        return
    raise ContractError(f"{topic}: " + "; ".join(errors(topic, message)))
