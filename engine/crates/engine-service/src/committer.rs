//! The commit stage of a transaction on its own thread: send the input offsets, wait for the
//! outputs' acknowledgements, commit, then write the snapshots of the state it committed.
//! Meanwhile the engine thread collects and matches the next batch.
//!
//! A transactional producer has at most one open transaction, so the hand-over is strict: the
//! engine thread opens a transaction, produces, [`Committer::submit`]s it, and takes its
//! [`Outcome`] ([`Committer::wait`], [`Committer::try_take`]) before it opens the next one.
//! A rebalance callback calls [`InFlight::wait_idle`], so partitions are never revoked or
//! restored while a transaction is still open.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::ConsumerGroupMetadata;
use rdkafka::error::KafkaError;
use rdkafka::producer::{Producer, ProducerContext, ThreadedProducer};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::TopicPartitionList;

use crate::metrics::{Metrics, Stage};
use crate::shard::write_snapshot;

/// How a submitted transaction ended.
#[derive(Debug)]
pub enum Outcome {
    Committed,
    /// Aborted (already, by the committer): the in-memory state is ahead of the committed
    /// offsets and must be rebuilt.
    Aborted(String),
    /// The producer cannot go on (fenced): the process must exit.
    Fatal(String),
}

/// Counters of a batch, added to the metrics once it is committed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub commands: u64,
    pub rejects: u64,
    pub events: u64,
}

/// A shard's state as of the end of the transaction, written once the transaction commits.
#[derive(Debug)]
pub struct PendingSnapshot {
    pub path: PathBuf,
    pub partition: i32,
    pub next_offset: i64,
    pub bytes: Vec<u8>,
}

/// An open transaction whose messages are all produced.
pub struct Job {
    pub offsets: TopicPartitionList,
    pub group: ConsumerGroupMetadata,
    pub counts: Counts,
    pub snapshots: Vec<PendingSnapshot>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("offsets", &self.offsets)
            .field("counts", &self.counts)
            .field("snapshots", &self.snapshots.len())
            .finish()
    }
}

#[derive(Debug)]
enum Slot {
    Idle,
    Busy,
    Done(Outcome),
}

/// The state of the one transaction in flight, shared with the rebalance callback.
#[derive(Debug)]
pub struct InFlight {
    slot: Mutex<Slot>,
    changed: Condvar,
}

impl Default for InFlight {
    fn default() -> Self {
        InFlight {
            slot: Mutex::new(Slot::Idle),
            changed: Condvar::new(),
        }
    }
}

impl InFlight {
    /// Block until no transaction is open (its outcome stays for the engine thread).
    pub fn wait_idle(&self) {
        let slot = self.slot.lock().expect("not poisoned");
        drop(
            self.changed
                .wait_while(slot, |s| matches!(s, Slot::Busy))
                .expect("not poisoned"),
        );
    }

    fn finish(&self, outcome: Outcome) {
        *self.slot.lock().expect("not poisoned") = Slot::Done(outcome);
        self.changed.notify_all();
    }

    fn take(&self, block: bool) -> Option<Outcome> {
        let mut slot = self.slot.lock().expect("not poisoned");
        if block {
            slot = self
                .changed
                .wait_while(slot, |s| matches!(s, Slot::Busy))
                .expect("not poisoned");
        }
        match std::mem::replace(&mut *slot, Slot::Idle) {
            Slot::Done(outcome) => Some(outcome),
            other => {
                *slot = other;
                None
            }
        }
    }
}

/// The engine thread's side of the commit thread.
#[derive(Debug)]
pub struct Committer {
    in_flight: Arc<InFlight>,
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    /// Start the commit thread for `producer`.
    pub fn start<C: ProducerContext + 'static>(
        producer: ThreadedProducer<C>,
        in_flight: Arc<InFlight>,
        metrics: Arc<Metrics>,
        timeout: Duration,
    ) -> std::io::Result<Committer> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let shared = in_flight.clone();
        std::thread::Builder::new()
            .name("committer".into())
            .spawn(move || {
                // Ends when the engine thread drops its sender.
                for job in queue {
                    let outcome = commit(&producer, &metrics, job, timeout);
                    shared.finish(outcome);
                }
            })?;
        Ok(Committer { in_flight, jobs })
    }

    /// Hand over the open transaction. The previous outcome must have been taken.
    pub fn submit(&self, job: Job) {
        {
            let mut slot = self.in_flight.slot.lock().expect("not poisoned");
            assert!(
                matches!(*slot, Slot::Idle),
                "a transaction is already in flight"
            );
            *slot = Slot::Busy;
        }
        if self.jobs.send(job).is_err() {
            self.in_flight
                .finish(Outcome::Fatal("the commit thread is gone".into()));
        }
    }

    /// The outcome of the transaction in flight, waiting for it; `None` if none was submitted.
    pub fn wait(&self) -> Option<Outcome> {
        self.in_flight.take(true)
    }

    /// The outcome of the transaction in flight if it has ended.
    pub fn try_take(&self) -> Option<Outcome> {
        self.in_flight.take(false)
    }
}

fn is_fatal(e: &KafkaError) -> bool {
    matches!(e, KafkaError::Transaction(t) if t.is_fatal())
}

fn is_retriable(e: &KafkaError) -> bool {
    matches!(e, KafkaError::Transaction(t) if t.is_retriable())
}

/// Commit `job`'s transaction, or abort it.
fn commit<C: ProducerContext + 'static>(
    producer: &ThreadedProducer<C>,
    metrics: &Metrics,
    job: Job,
    timeout: Duration,
) -> Outcome {
    match send_and_commit(producer, metrics, &job, timeout) {
        Ok(()) => {}
        Err(e) if is_fatal(&e) => return Outcome::Fatal(format!("fatal (fenced?): {e}")),
        Err(e) => {
            metrics.aborts_total.fetch_add(1, Ordering::Relaxed);
            return match producer.abort_transaction(timeout) {
                Ok(()) => Outcome::Aborted(e.to_string()),
                Err(abort) => Outcome::Fatal(format!("{e}, then abort_transaction: {abort}")),
            };
        }
    }
    metrics.transactions_total.fetch_add(1, Ordering::Relaxed);
    let c = job.counts;
    metrics
        .commands_total
        .fetch_add(c.commands, Ordering::Relaxed);
    metrics
        .rejects_total
        .fetch_add(c.rejects, Ordering::Relaxed);
    metrics.events_total.fetch_add(c.events, Ordering::Relaxed);
    write_snapshots(&job.snapshots, metrics);
    Outcome::Committed
}

/// Write snapshots of committed state (atomically; a failure only costs a longer replay).
pub fn write_snapshots(snapshots: &[PendingSnapshot], metrics: &Metrics) {
    for s in snapshots {
        let t = Instant::now();
        match write_snapshot(&s.path, &s.bytes) {
            Ok(()) => {
                metrics.snapshots_total.fetch_add(1, Ordering::Relaxed);
                eprintln!(
                    "engine: snapshot of partition {} at offset {} in {:?}",
                    s.partition,
                    s.next_offset,
                    t.elapsed()
                );
            }
            Err(e) => eprintln!("engine: snapshot {} failed: {e}", s.path.display()),
        }
    }
}

fn send_and_commit<C: ProducerContext + 'static>(
    producer: &ThreadedProducer<C>,
    metrics: &Metrics,
    job: &Job,
    timeout: Duration,
) -> Result<(), KafkaError> {
    let t = Instant::now();
    producer.send_offsets_to_transaction(&job.offsets, &job.group, timeout)?;
    metrics.add_stage(Stage::SendOffsets, t);
    let t = Instant::now();
    // With nothing left in flight, commit_transaction's own flush returns at once.
    flush_now(producer, timeout)?;
    let result = loop {
        match producer.commit_transaction(timeout) {
            Err(e) if is_retriable(&e) => continue,
            other => break other,
        }
    };
    metrics.add_stage(Stage::Commit, t);
    result
}

/// Send every queued message now, ignoring `linger.ms`, and wait until all are acknowledged.
///
/// rust-rdkafka's `flush` (also run by its `commit_transaction`) calls `rd_kafka_flush` with a
/// zero timeout and polls the delivery queue from the calling thread in steps that either
/// spin (below 1 ms) or last 100 ms; and while it waits, batches still sit out `linger.ms`.
/// The producer's polling thread serves delivery reports, so librdkafka's own blocking flush
/// can wait on its condition variable, and it sends lingering batches at once.
#[allow(unsafe_code)]
fn flush_now<C: ProducerContext + 'static>(
    producer: &ThreadedProducer<C>,
    timeout: Duration,
) -> Result<(), KafkaError> {
    let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: the handle belongs to `producer`, which outlives the call, and rd_kafka_flush
    // may be called from any thread.
    let err = unsafe { rdkafka_sys::rd_kafka_flush(producer.client().native_ptr(), ms) };
    match err {
        RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR => Ok(()),
        e => Err(KafkaError::Flush(e.into())),
    }
}
