//! The matching engine as a Kafka service: exactly once, crash-safe, partitioned by symbol.
//!
//! Modules: `config` (flags and env vars), `json` (a JSON writer into a reused buffer), `wire` (the JSON messages of `orders.v1`,
//! `executions.v1`, `trades.v1` and `book.v1`, defined by the schema files in
//! `xi/contracts/`), `shard` (the engine of one input partition, its symbol names and its
//! snapshot file), `service` (the Kafka loop: consume, match, produce and commit offsets in one
//! transaction), `committer` (the commit stage of a transaction on its own thread), `metrics`
//! (Prometheus text and readiness over a tiny HTTP server).
//! No cargo features.
#![deny(unsafe_code)]
#![deny(missing_debug_implementations)]

pub mod committer;
pub mod config;
pub mod json;
pub mod metrics;
pub mod service;
pub mod shard;
pub mod wire;
