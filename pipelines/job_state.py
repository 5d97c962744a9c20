"""What the market job holds between micro-batches: open bars and windows, the event-time
watermark and what the online store was last given (saved by :mod:`pipelines.state_log`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines import book_series
from pipelines.account_features import Activity
from pipelines.bars import BarKey, BarTotals
from trading_api.market.books import Books

SECOND_NS = 1_000_000_000


@dataclass
class JobState:
    # The latest event time seen; events older than it minus the allowed lateness are late.
    max_event_ns: int = 0
    bars: dict[BarKey, BarTotals] = field(default_factory=dict)
    # Per symbol: (start, last trade) of the newest minute bar pushed online.
    bars_online: dict[str, tuple[int, int]] = field(default_factory=dict)
    activity: Activity = field(default_factory=Activity)
    # Per (account, symbol): the start of the newest window pushed online.
    activity_online: dict[tuple[int, str], int] = field(default_factory=dict)
    # Each symbol's order book, as of the last book message read.
    books: Books = field(default_factory=Books)

    def watermark_ns(self, lateness_s: int) -> int:
        return self.max_event_ns - lateness_s * SECOND_NS if self.max_event_ns else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "max_event_ns": self.max_event_ns,
            "bars": [[*key, totals.to_list()] for key, totals in self.bars.items()],
            "bars_online": [[symbol, *at] for symbol, at in self.bars_online.items()],
            "activity": self.activity.to_json(),
            "activity_online": [[*key, start] for key, start in self.activity_online.items()],
            "books": book_series.dump(self.books),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> JobState:
        if data is None:
            return cls()
        return cls(
            max_event_ns=data["max_event_ns"],
            bars={(s, i, t): BarTotals.from_list(v) for s, i, t, v in data["bars"]},
            bars_online={s: (start, last) for s, start, last in data["bars_online"]},
            activity=Activity.from_json(data["activity"]),
            activity_online={(a, s): start for a, s, start in data["activity_online"]},
            books=book_series.load(data["books"]),
        )
