//! Matching engine core: a pure, deterministic state machine (no I/O, no clocks, no
//! randomness). `Command` in, `Event`s out, through [`Engine::apply`].
//!
//! Modules: `types` (commands, events, rules), `engine` (matching), `book` (slab, levels),
//! `snapshot` (versioned binary state), `wire` (compact event encoding), `naive` (simple
//! reference book used as a test oracle), `fxhash` (fixed deterministic hasher), `index` (order
//! id -> location), `divisor` (tick/lot divisibility without division).
//! No cargo features.
#![deny(unsafe_code)]
#![deny(missing_debug_implementations)]

mod book;
mod divisor;
pub mod engine;
pub mod fxhash;
mod index;
pub mod naive;
pub mod snapshot;
pub mod types;
pub mod wire;

#[cfg(test)]
mod tests;

pub use engine::{Engine, OrderView, MAX_SYMBOLS};
pub use snapshot::{SnapshotError, FORMAT_VERSION};
pub use types::{
    CancelReason, Command, Event, EventKind, NewOrder, OrderType, RejectReason, Side, StpMode,
    SymbolRules, TimeInForce,
};
