-- Public market data: every trade the engine reported, and how far the API has read trades.v1.
CREATE TABLE market_trades (
    symbol          text NOT NULL,
    -- The engine's trade id (per shard; a symbol lives in one shard, so unique per symbol).
    trade_id        bigint NOT NULL,
    seq             bigint NOT NULL,
    price           bigint NOT NULL CHECK (price > 0),  -- ticks
    qty             bigint NOT NULL CHECK (qty > 0),    -- lots
    buyer_is_maker  boolean NOT NULL,
    trade_time_ms   bigint NOT NULL,
    -- The idempotency key: a redelivered trade is stored once.
    PRIMARY KEY (symbol, trade_id)
);
CREATE INDEX market_trades_by_time ON market_trades (symbol, trade_time_ms);

-- The next trades.v1 offset to read per partition, written in the same transaction as the
-- trades it covers, so a restart neither skips nor repeats a trade.
CREATE TABLE market_feed_offsets (
    topic       text NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);
