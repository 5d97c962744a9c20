//! Tools around the matching engine: LOBSTER replay, workload generator, benchmark.
#![deny(unsafe_code)]
#![deny(missing_debug_implementations)]

pub mod histogram;
pub mod lobster;
pub mod workload;
