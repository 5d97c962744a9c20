"""Listen keys of user data streams, in Redis so that every API instance knows them.

A key names one account's stream and lives ``listen_key_ttl_s`` unless kept alive; an account
has one key at a time (asking again returns it and extends it), as on Binance.
"""

from __future__ import annotations

import secrets

from redis import Redis

KEY_BYTES = 30  # 60 hex characters, Binance's listen key length


def redis_key(listen_key: str) -> str:
    return f"listen-key:{listen_key}"


def _of(account_id: int) -> str:
    return f"listen-key-of:{account_id}"


def channel(account_id: int) -> str:
    """The Redis pub/sub channel that carries an account's own events."""
    return f"user:{account_id}"


def open_key(redis: Redis, account_id: int, ttl_s: int) -> str:
    current = redis.get(_of(account_id))
    listen_key = current.decode() if current else secrets.token_hex(KEY_BYTES)
    pipe = redis.pipeline()
    pipe.set(redis_key(listen_key), account_id, ex=ttl_s)
    pipe.set(_of(account_id), listen_key, ex=ttl_s)
    pipe.execute()
    return listen_key


def owner(redis: Redis, listen_key: str) -> int | None:
    found = redis.get(redis_key(listen_key))
    return int(found) if found else None


def keep_alive(redis: Redis, account_id: int, listen_key: str, ttl_s: int) -> bool:
    """Extend the key's life; False if it is not this account's live key."""
    if owner(redis, listen_key) != account_id:
        return False
    pipe = redis.pipeline()
    pipe.expire(redis_key(listen_key), ttl_s)
    pipe.expire(_of(account_id), ttl_s)
    pipe.execute()
    return True


def close(redis: Redis, account_id: int, listen_key: str) -> bool:
    if owner(redis, listen_key) != account_id:
        return False
    redis.delete(redis_key(listen_key), _of(account_id))
    return True
