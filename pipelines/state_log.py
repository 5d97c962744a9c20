"""The streaming job's own state after each micro-batch, one JSON file per batch id.

Spark commits a micro-batch's Kafka offsets only after ``foreachBatch`` returns, and a batch
redone after a crash reads the same records. The state the batch starts from is therefore
the one saved by the batch before it (never one saved by a failed attempt of itself), so a
redone batch computes exactly what its first attempt did.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

KEEP = 5  # files kept: enough to redo the last batch whatever happened to the newest


class StateLog:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cached: tuple[int, dict[str, Any]] | None = None

    def _saved(self) -> list[int]:
        return sorted(int(path.stem) for path in self.folder.glob("*.json"))

    def before(self, batch_id: int) -> dict[str, Any] | None:
        """The state saved by the newest batch before ``batch_id`` (None: no batch yet)."""
        if self.cached is not None and self.cached[0] == batch_id - 1:
            return self.cached[1]
        earlier = [saved for saved in self._saved() if saved < batch_id]
        if not earlier:
            return None
        return json.loads((self.folder / f"{earlier[-1]}.json").read_text())

    def save(self, batch_id: int, state: dict[str, Any]) -> None:
        path = self.folder / f"{batch_id}.json"
        staging = path.with_suffix(".tmp")
        staging.write_text(json.dumps(state, separators=(",", ":")))
        os.replace(staging, path)
        self.cached = (batch_id, state)
        for old in self._saved()[:-KEEP]:
            (self.folder / f"{old}.json").unlink(missing_ok=True)
