"""The book kept from book.v1: snapshots, changes in sequence, replays and gaps."""

from __future__ import annotations

from typing import Any

from trading_api.market.books import Books


def _message(
    kind: str, first: int, last: int, bids: list[list[int]], asks: list[list[int]]
) -> dict[str, Any]:
    return {
        "type": kind,
        "shard": 0,
        "ts_ns": 1_700_000_000_000_000_000,
        "symbol": "BTCUSDT",
        "first_seq": first,
        "last_seq": last,
        "bids": bids,
        "asks": asks,
    }


def test_changes_before_a_snapshot_are_ignored_then_chain_from_it() -> None:
    books = Books()
    assert books.apply(_message("DEPTH_UPDATE", 1, 1, [[100, 5]], [])) is None
    books.apply(_message("SNAPSHOT", 3, 3, [[100, 5]], [[105, 2]]))
    change = books.apply(_message("DEPTH_UPDATE", 7, 9, [[100, 0], [99, 4]], []))
    assert change is not None
    assert (change.first_update_id, change.last_update_id) == (4, 9)
    assert books.top("BTCUSDT", 10) == (9, [(99, 4)], [(105, 2)])
    # A replayed change is skipped; the next one chains on from 9.
    assert books.apply(_message("DEPTH_UPDATE", 7, 9, [[100, 0], [99, 4]], [])) is None
    following = books.apply(_message("DEPTH_UPDATE", 12, 12, [], [[104, 1]]))
    assert following is not None and following.first_update_id == 10
    assert books.top("BTCUSDT", 1) == (12, [(99, 4)], [(104, 1)])
    assert books.gaps == 0


def test_a_snapshot_that_disagrees_reveals_a_gap_and_resyncs() -> None:
    books = Books()
    books.apply(_message("SNAPSHOT", 1, 1, [[100, 5]], []))
    books.apply(_message("SNAPSHOT", 2, 2, [[100, 5]], []))  # agrees: no gap
    assert books.gaps == 0
    # The change at seq 3 (bid 100 -> 2) never arrives; the snapshot at 4 shows it.
    books.apply(_message("SNAPSHOT", 4, 4, [[100, 2]], []))
    assert books.gaps == 1
    assert books.top("BTCUSDT", 5) == (4, [(100, 2)], [])
    # An older snapshot than the book is not applied.
    books.apply(_message("SNAPSHOT", 3, 3, [[100, 9]], []))
    assert books.top("BTCUSDT", 5) == (4, [(100, 2)], [])


def test_best_levels_come_first() -> None:
    books = Books()
    books.apply(_message("SNAPSHOT", 1, 1, [[98, 1], [100, 2], [99, 3]], [[103, 1], [101, 2]]))
    assert books.top("BTCUSDT", 2) == (1, [(100, 2), (99, 3)], [(101, 2), (103, 1)])
    assert books.top("ETHUSDT", 2) == (0, [], [])
