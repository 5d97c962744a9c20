"""A deterministic stream of engine commands: listings, orders of every kind, kill switches
and some malformed messages. Every command carries its own `ts_ns`, so two runs over the same
input give byte-identical output."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from xi import engine_client

T0 = 1_800_000_000_000_000_000


def commands(n: int, symbols: int = 8, seed: int = 7) -> Iterator[tuple[bytes, bytes]]:
    rng = random.Random(seed)
    names = [f"SYM{i}" for i in range(symbols)]
    for i, name in enumerate(names):
        cmd = engine_client.create_symbol(
            name, tick_size=5, lot_size=1, reference_price=1000, command_id=f"list-{i}"
        )
        cmd["ts_ns"] = T0 + i
        yield engine_client.encode(cmd)
    for i in range(n):
        name = rng.choice(names)
        account = rng.randrange(50)
        cid = f"c{i}"
        roll = rng.random()
        side = rng.choice(("BUY", "SELL"))
        if roll < 0.001:
            yield name.encode(), b'{"type":"NEW_ORDER","command_id":"' + cid.encode() + b'",oops'
            continue
        if roll < 0.004:
            cmd = engine_client.cancel_all(name, account=account, command_id=cid)
        elif roll < 0.05:
            cmd = engine_client.new_order(
                name,
                account=account,
                side=side,
                order_type="MARKET",
                qty=rng.randint(1, 5),
                command_id=cid,
            )
        elif roll < 0.07:
            stop = 1000 + rng.choice((-1, 1)) * 5 * rng.randint(1, 4)
            cmd = engine_client.new_order(
                name,
                account=account,
                side=side,
                order_type="STOP_LOSS_LIMIT",
                price=stop,
                stop_price=stop,
                qty=rng.randint(1, 5),
                command_id=cid,
            )
        elif roll < 0.10:
            cmd = engine_client.new_order(
                name,
                account=account,
                side=side,
                price=1000 + 5 * rng.randint(-3, 3),
                qty=rng.randint(1, 9),
                time_in_force=rng.choice(("IOC", "FOK")),
                stp="EXPIRE_TAKER",
                command_id=cid,
            )
        else:
            offset = rng.randint(0, 8) * 5
            price = 995 - offset if side == "BUY" else 1005 + offset
            if rng.random() < 0.3:
                price = 1010 if side == "BUY" else 990  # crosses
            cmd = engine_client.new_order(
                name,
                account=account,
                side=side,
                price=price,
                qty=rng.randint(1, 9),
                stp=rng.choice(("NONE", "EXPIRE_MAKER", "DECREMENT")),
                command_id=cid,
                client_order_id=f"o{i}",
            )
        cmd["ts_ns"] = T0 + 1000 + i
        yield engine_client.encode(cmd)


def as_json(value: bytes) -> dict[str, object]:
    return json.loads(value)
