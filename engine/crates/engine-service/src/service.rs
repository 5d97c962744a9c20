//! The Kafka loop: consume commands, match, produce reports and commit the consumed offsets,
//! all in one Kafka transaction per batch.
//!
//! - **Stages, pipelined over two threads:** the engine thread collects a batch (poll until
//!   nothing is queued, `batch_size` commands, or `linger_ms`), then matches and serializes it
//!   (replayed commands change state only), waits for the previous transaction to end, opens
//!   the next, produces the batch's messages and hands the transaction to the commit thread
//!   (`send_offsets_to_transaction`, flush, `commit_transaction`; see `committer`), and
//!   collects the following batch meanwhile. While the consumer is polled the only state
//!   not yet committed is that of the transaction in flight, and a rebalance callback (which
//!   runs inside a poll) first waits for that transaction to end: a revoked shard is
//!   snapshotted only if it committed, and restored shards read settled offsets.
//! - **Exactly once.** Outputs and input offsets commit or abort together. After an abort the
//!   in-memory state is ahead of the committed offsets, so every shard is rebuilt: its snapshot
//!   is loaded, the consumer seeks to the snapshot offset, and the commands up to the committed
//!   offset are replayed without producing (their outputs are already committed), then the
//!   engine goes live. A restarted or newly assigned process does the same.
//! - **Fencing.** One transactional producer per process with a stable `transactional.id`;
//!   `init_transactions` fences a previous incarnation; offsets are sent with the consumer's
//!   group metadata, so a zombie of an older group generation is fenced too (KIP-447).
//! - **Rebalance.** The eager protocol: on revoke the shards are snapshotted (their state is
//!   exactly the committed one) and dropped; on assign each shard is restored from its latest
//!   snapshot in the shared snapshot directory and the consumer starts at the snapshot offset.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, Producer, ThreadedProducer};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use crate::committer::{
    write_snapshots, Committer, Counts, InFlight, Job, Outcome, PendingSnapshot,
};
use crate::config::Config;
use crate::metrics::{Metrics, Stage};
use crate::shard::{read_snapshot, snapshot_path, Outbox, Shard, Topic};

const COORDINATOR_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the per-partition gauges and the readiness are refreshed.
const GAUGES_EVERY: Duration = Duration::from_secs(1);

/// A partition handed to this process, with its restored state.
#[derive(Debug)]
struct Restored {
    shard: Shard,
    /// Where the consumer starts reading.
    start: Offset,
}

#[derive(Debug)]
enum Change {
    Assigned(Vec<Restored>),
    Revoked(Vec<i32>),
}

/// Seconds since the process started (for log lines).
fn uptime() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// Producer callbacks: librdkafka's log lines go to stderr.
struct ProducerCtx;

impl ClientContext for ProducerCtx {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, log_message: &str) {
        eprintln!(
            "{:.6} librdkafka producer {level:?} {fac}: {log_message}",
            uptime()
        );
    }
}

impl rdkafka::producer::ProducerContext for ProducerCtx {
    type DeliveryOpaque = ();
    fn delivery(&self, _: &rdkafka::producer::DeliveryResult<'_>, _: Self::DeliveryOpaque) {}
}

/// Consumer callbacks: restore shards on assignment, note revocations for the loop.
struct Ctx {
    cfg: Config,
    /// The transaction in flight, which a rebalance waits for.
    in_flight: Arc<InFlight>,
    changes: Mutex<Vec<Change>>,
    /// Consumer lag per partition from librdkafka's statistics (every second).
    lag: Mutex<BTreeMap<i32, i64>>,
}

impl ClientContext for Ctx {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, log_message: &str) {
        eprintln!(
            "{:.6} librdkafka consumer {level:?} {fac}: {log_message}",
            uptime()
        );
    }

    fn stats(&self, statistics: rdkafka::Statistics) {
        let mut lag = self.lag.lock().expect("not poisoned");
        if let Some(t) = statistics.topics.get(&self.cfg.orders_topic) {
            for (&p, s) in &t.partitions {
                if p >= 0 && s.consumer_lag >= 0 {
                    lag.insert(p, s.consumer_lag);
                }
            }
        }
    }
}

impl ConsumerContext for Ctx {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        // Revoke only committed state, and read committed offsets only once they are settled.
        self.in_flight.wait_idle();
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                let partitions: Vec<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
                let restored = match restore(&self.cfg, consumer, &partitions) {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("engine: cannot restore partitions {partitions:?}: {e}");
                        std::process::exit(2);
                    }
                };
                let mut assign = TopicPartitionList::new();
                for r in &restored {
                    assign
                        .add_partition_offset(&self.cfg.orders_topic, r.shard.partition, r.start)
                        .expect("a valid offset");
                }
                if let Err(e) = consumer.assign(&assign) {
                    eprintln!("engine: assign failed: {e}");
                    std::process::exit(2);
                }
                eprintln!("engine: assigned partitions {partitions:?}");
                self.changes
                    .lock()
                    .expect("not poisoned")
                    .push(Change::Assigned(restored));
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                let partitions: Vec<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
                eprintln!("engine: revoked partitions {partitions:?}");
                self.changes
                    .lock()
                    .expect("not poisoned")
                    .push(Change::Revoked(partitions));
                if let Err(e) = consumer.unassign() {
                    eprintln!("engine: unassign failed: {e}");
                }
            }
            other => eprintln!("engine: rebalance error {other:?}"),
        }
    }
}

/// Load the snapshots of `partitions` and decide where to read from: the snapshot offset
/// (or the beginning), replaying silently up to the group's committed offset.
fn restore<C: ConsumerContext>(
    cfg: &Config,
    consumer: &BaseConsumer<C>,
    partitions: &[i32],
) -> Result<Vec<Restored>, String> {
    let mut tpl = TopicPartitionList::new();
    for &p in partitions {
        tpl.add_partition(&cfg.orders_topic, p);
    }
    let committed = consumer
        .committed_offsets(tpl, COORDINATOR_TIMEOUT)
        .map_err(|e| format!("committed offsets: {e}"))?;
    let mut out = Vec::new();
    for &p in partitions {
        let committed = committed
            .find_partition(&cfg.orders_topic, p)
            .and_then(|e| match e.offset() {
                Offset::Offset(o) => Some(o),
                _ => None,
            });
        let path = snapshot_path(&cfg.snapshot_dir, &cfg.group_id, &cfg.orders_topic, p);
        let snap = read_snapshot(&path)?;
        let (mut shard, start) = match (snap, committed) {
            // A snapshot is written only for committed state, so it is never ahead.
            (Some(s), Some(c)) if s.next_offset <= c => {
                let start = Offset::Offset(s.next_offset);
                (s, start)
            }
            (Some(s), _) => {
                eprintln!(
                    "engine: ignoring snapshot of partition {p} at {} (committed {committed:?})",
                    s.next_offset
                );
                (Shard::new(p), Offset::Beginning)
            }
            (None, _) => (Shard::new(p), Offset::Beginning),
        };
        if shard.partition != p {
            return Err(format!(
                "{} holds partition {}",
                path.display(),
                shard.partition
            ));
        }
        shard.replay_until = committed.unwrap_or(0);
        eprintln!(
            "engine: partition {p}: snapshot at {}, replay to {}",
            shard.next_offset, shard.replay_until
        );
        out.push(Restored { shard, start });
    }
    Ok(out)
}

/// One consumed command, copied out of the consumer.
#[derive(Debug)]
struct Input {
    partition: i32,
    offset: i64,
    ts_ms: i64,
    payload: std::ops::Range<usize>,
}

/// What matching a batch left to commit.
#[derive(Debug, Default)]
struct Work {
    /// Next input offset per partition, for the live commands.
    offsets: BTreeMap<i32, i64>,
    counts: Counts,
    snapshots: Vec<PendingSnapshot>,
}

/// The running service.
pub struct Service {
    cfg: Config,
    consumer: BaseConsumer<Ctx>,
    producer: ThreadedProducer<ProducerCtx>,
    committer: Committer,
    shards: BTreeMap<i32, Shard>,
    metrics: Arc<Metrics>,
    assigned_once: bool,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("cfg", &self.cfg)
            .field("shards", &self.shards.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Service {
    /// Connect, fence earlier incarnations of this transactional id, and subscribe.
    pub fn build(cfg: Config, metrics: Arc<Metrics>) -> Result<Service, String> {
        let mut producer_config = ClientConfig::new();
        producer_config
            .set("bootstrap.servers", &cfg.bootstrap_servers)
            .set("transactional.id", &cfg.transactional_id)
            .set(
                "transaction.timeout.ms",
                cfg.transaction_timeout_ms.to_string(),
            )
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("linger.ms", cfg.producer_linger_ms.to_string())
            .set("batch.num.messages", "10000")
            .set("batch.size", "1000000")
            .set("queue.buffering.max.messages", "2000000")
            .set("queue.buffering.max.kbytes", "1048576")
            // The Java client's partitioner, so keys land where other producers put them.
            .set("partitioner", "murmur2_random")
            // After a commit the broker answers CONCURRENT_TRANSACTIONS until the markers are
            // written; librdkafka retries after retry.backoff.ms (100 ms by default), which
            // would cap the engine at a few transactions per second.
            .set("retry.backoff.ms", "2")
            .set("retry.backoff.max.ms", "20")
            // A failed message fails the transaction anyway; reporting every success would
            // cost a delivery event per message (about a tenth of the process's CPU).
            .set("delivery.report.only.error", "true");
        for (k, v) in &cfg.producer_config {
            producer_config.set(k, v);
        }
        // Debug lines appear only with a `debug=...` property.
        producer_config.set_log_level(rdkafka::config::RDKafkaLogLevel::Debug);
        let producer: ThreadedProducer<ProducerCtx> = producer_config
            .create_with_context(ProducerCtx)
            .map_err(|e| format!("producer: {e}"))?;
        producer
            .init_transactions(COORDINATOR_TIMEOUT)
            .map_err(|e| format!("init_transactions: {e}"))?;
        let in_flight = Arc::new(InFlight::default());
        let committer = Committer::start(
            producer.clone(),
            in_flight.clone(),
            metrics.clone(),
            COORDINATOR_TIMEOUT,
        )
        .map_err(|e| format!("commit thread: {e}"))?;
        let ctx = Ctx {
            cfg: cfg.clone(),
            in_flight,
            changes: Mutex::new(Vec::new()),
            lag: Mutex::new(BTreeMap::new()),
        };
        let mut consumer_config = ClientConfig::new();
        consumer_config
            .set("bootstrap.servers", &cfg.bootstrap_servers)
            .set("group.id", &cfg.group_id)
            // Static membership: a restarted process takes its partitions back at once.
            .set("group.instance.id", &cfg.transactional_id)
            .set("isolation.level", "read_committed")
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("partition.assignment.strategy", "range")
            .set("session.timeout.ms", cfg.session_timeout_ms.to_string())
            .set(
                "heartbeat.interval.ms",
                (cfg.session_timeout_ms / 5).max(100).to_string(),
            )
            .set("fetch.wait.max.ms", "10")
            .set("fetch.min.bytes", "1")
            .set("statistics.interval.ms", "1000")
            .set("allow.auto.create.topics", "true")
            // Notice a topic created after the subscription within seconds.
            .set("topic.metadata.refresh.interval.ms", "5000");
        for (k, v) in &cfg.consumer_config {
            consumer_config.set(k, v);
        }
        consumer_config.set_log_level(rdkafka::config::RDKafkaLogLevel::Debug);
        let consumer: BaseConsumer<Ctx> = consumer_config
            .create_with_context(ctx)
            .map_err(|e| format!("consumer: {e}"))?;
        consumer
            .subscribe(&[&cfg.orders_topic])
            .map_err(|e| format!("subscribe: {e}"))?;
        Ok(Service {
            cfg,
            consumer,
            producer,
            committer,
            shards: BTreeMap::new(),
            metrics,
            assigned_once: false,
        })
    }

    /// Apply assignments and revocations noted by the rebalance callback; the revoked
    /// partitions go to `revoked_out` so that buffered commands of them can be dropped.
    /// Returns false if the state was rebuilt (the buffered commands are then stale).
    fn apply_changes(&mut self, revoked_out: &mut Vec<i32>) -> Result<bool, String> {
        let changes = std::mem::take(&mut *self.consumer.context().changes.lock().expect("ok"));
        if changes.is_empty() {
            return Ok(true);
        }
        // The callback waited for the transaction in flight: its outcome is there, and it
        // tells whether the state of the revoked shards is the committed one.
        let committed = match self.committer.wait() {
            None | Some(Outcome::Committed) => true,
            Some(Outcome::Fatal(e)) => return Err(e),
            Some(Outcome::Aborted(e)) => {
                eprintln!("engine: transaction failed and was aborted: {e}");
                false
            }
        };
        for change in changes {
            match change {
                Change::Assigned(restored) => {
                    self.assigned_once = true;
                    for r in restored {
                        self.shards.insert(r.shard.partition, r.shard);
                    }
                }
                Change::Revoked(partitions) => {
                    for p in partitions {
                        if let Some(shard) = self.shards.remove(&p) {
                            if committed && shard.since_snapshot > 0 && shard.next_offset > 0 {
                                write_snapshots(&[self.pending_snapshot(&shard)], &self.metrics);
                            }
                        }
                        revoked_out.push(p);
                    }
                }
            }
        }
        if !committed {
            self.rebuild()?;
        }
        Ok(committed)
    }

    /// Take the outcome of the transaction in flight (waiting for it with `block`). Returns
    /// false if it was aborted and the state rebuilt.
    fn settle(&mut self, block: bool) -> Result<bool, String> {
        let outcome = if block {
            self.committer.wait()
        } else {
            self.committer.try_take()
        };
        match outcome {
            None | Some(Outcome::Committed) => Ok(true),
            Some(Outcome::Fatal(e)) => Err(e),
            Some(Outcome::Aborted(e)) => {
                eprintln!("engine: transaction failed and was aborted, rebuilding: {e}");
                self.rebuild()?;
                Ok(false)
            }
        }
    }

    fn pending_snapshot(&self, shard: &Shard) -> PendingSnapshot {
        PendingSnapshot {
            path: snapshot_path(
                &self.cfg.snapshot_dir,
                &self.cfg.group_id,
                &self.cfg.orders_topic,
                shard.partition,
            ),
            partition: shard.partition,
            next_offset: shard.next_offset,
            bytes: shard.to_bytes(),
        }
    }

    /// Throw away all in-memory state and restore every owned partition from its snapshot
    /// and the committed offsets (after an aborted transaction).
    fn rebuild(&mut self) -> Result<(), String> {
        let partitions: Vec<i32> = self.shards.keys().copied().collect();
        self.shards.clear();
        if !partitions.is_empty() {
            for r in restore(&self.cfg, &self.consumer, &partitions)? {
                self.consumer
                    .seek(
                        &self.cfg.orders_topic,
                        r.shard.partition,
                        r.start,
                        COORDINATOR_TIMEOUT,
                    )
                    .map_err(|e| format!("seek: {e}"))?;
                self.shards.insert(r.shard.partition, r.shard);
            }
        }
        self.metrics.rebuilds_total.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Run until a fatal error.
    pub fn run(mut self) -> Result<(), String> {
        let mut arena: Vec<u8> = Vec::new();
        let mut batch: Vec<Input> = Vec::new();
        let mut outbox = Outbox::default();
        let mut last_gauges = Instant::now() - GAUGES_EVERY;
        loop {
            // 1. Collect, while the previous transaction commits.
            let t = Instant::now();
            self.collect(&mut arena, &mut batch, last_gauges + GAUGES_EVERY)?;
            self.metrics.add_stage(Stage::Collect, t);
            // 2. Match and serialize.
            let t = Instant::now();
            outbox.clear();
            let work = self.process(&arena, &batch, &mut outbox);
            self.metrics.add_stage(Stage::Process, t);
            // 3. Wait for the previous transaction; if it failed, this batch is gone with the
            //    state it was matched against, and the rebuild replays it.
            let t = Instant::now();
            let settled = self.settle(true)?;
            self.metrics.add_stage(Stage::Wait, t);
            if settled {
                if work.offsets.is_empty() {
                    // Replayed commands only: their state is committed already.
                    write_snapshots(&work.snapshots, &self.metrics);
                } else {
                    // 4. Produce and hand the transaction over.
                    let t = Instant::now();
                    self.produce(&outbox)?;
                    let job = self.job(work)?;
                    self.metrics.add_stage(Stage::Produce, t);
                    self.committer.submit(job);
                }
            }
            if last_gauges.elapsed() >= GAUGES_EVERY {
                self.publish_gauges();
                last_gauges = Instant::now();
            }
        }
    }

    /// Poll a batch of commands, copying their payloads into `arena`: until nothing is
    /// queued, `batch_size` commands, or `linger_ms` after the first. Returns with nothing
    /// once nothing is queued after `gauges_at`.
    fn collect(
        &mut self,
        arena: &mut Vec<u8>,
        batch: &mut Vec<Input>,
        gauges_at: Instant,
    ) -> Result<(), String> {
        let linger = Duration::from_millis(self.cfg.linger_ms);
        arena.clear();
        batch.clear();
        let mut first_at: Option<Instant> = None;
        let mut revoked: Vec<i32> = Vec::new();
        while batch.len() < self.cfg.batch_size {
            let timeout = match first_at {
                None => Duration::from_millis(100),
                Some(t) => linger.saturating_sub(t.elapsed()),
            };
            let polled = match self.consumer.poll(timeout) {
                None => None,
                Some(Err(e)) => {
                    eprintln!("engine: consumer: {e}");
                    Some(())
                }
                Some(Ok(m)) => {
                    let start = arena.len();
                    arena.extend_from_slice(m.payload().unwrap_or_default());
                    batch.push(Input {
                        partition: m.partition(),
                        offset: m.offset(),
                        ts_ms: m.timestamp().to_millis().unwrap_or(0),
                        payload: start..arena.len(),
                    });
                    first_at.get_or_insert_with(Instant::now);
                    Some(())
                }
            };
            revoked.clear();
            // An aborted transaction (noticed here or by a rebalance) rebuilt the state: the
            // commands collected so far come again after the replay.
            if !self.apply_changes(&mut revoked)? || !self.settle(false)? {
                arena.clear();
                batch.clear();
                first_at = None;
            }
            if !revoked.is_empty() {
                batch.retain(|m| !revoked.contains(&m.partition));
            }
            if polled.is_none() && (first_at.is_some() || Instant::now() >= gauges_at) {
                break;
            }
        }
        Ok(())
    }

    /// Match and serialize `batch`: replayed commands change state only, live ones also fill
    /// `outbox`. Snapshots that fall due are taken now, as of the end of this batch, and
    /// written once it is committed.
    fn process(&mut self, arena: &[u8], batch: &[Input], outbox: &mut Outbox) -> Work {
        let mut work = Work::default();
        let mut replayed = 0u64;
        for m in batch {
            let Some(shard) = self.shards.get_mut(&m.partition) else {
                continue;
            };
            if m.offset < shard.next_offset {
                continue;
            }
            let payload = &arena[m.payload.clone()];
            let interval = self.cfg.book_snapshot_interval;
            if m.offset < shard.replay_until {
                shard.process(m.offset, m.ts_ms, payload, None, interval);
                replayed += 1;
                continue;
            }
            let o = shard.process(m.offset, m.ts_ms, payload, Some(outbox), interval);
            work.counts.commands += 1;
            work.counts.events += o.events;
            work.counts.rejects += u64::from(o.rejected);
            work.offsets.insert(m.partition, m.offset + 1);
        }
        self.metrics
            .replayed_total
            .fetch_add(replayed, Ordering::Relaxed);
        let due: Vec<i32> = self
            .shards
            .values()
            .filter(|s| s.since_snapshot >= self.cfg.snapshot_interval)
            .map(|s| s.partition)
            .collect();
        for p in due {
            let shard = self.shards.get_mut(&p).expect("listed above");
            shard.since_snapshot = 0;
            work.snapshots.push(self.pending_snapshot(&self.shards[&p]));
        }
        work
    }

    /// Open a transaction and hand `outbox`'s messages to the producer (which copies them).
    fn produce(&self, outbox: &Outbox) -> Result<(), String> {
        self.producer
            .begin_transaction()
            .map_err(|e| format!("begin_transaction: {e}"))?;
        for msg in &outbox.msgs {
            let topic = match msg.topic {
                Topic::Executions => &self.cfg.executions_topic,
                Topic::Trades => &self.cfg.trades_topic,
                Topic::Book => &self.cfg.book_topic,
            };
            self.metrics.messages_total[msg.topic as usize].fetch_add(1, Ordering::Relaxed);
            let mut record = BaseRecord::to(topic)
                .key(outbox.key(msg))
                .payload(outbox.payload(msg));
            loop {
                match self.producer.send(record) {
                    Ok(()) => break,
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                        // The polling thread frees the queue as acks arrive.
                        record = r;
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Err((e, _)) => return Err(format!("produce: {e}")),
                }
            }
        }
        Ok(())
    }

    /// The commit of the open transaction: its input offsets with the group's metadata.
    fn job(&self, work: Work) -> Result<Job, String> {
        let mut offsets = TopicPartitionList::new();
        for (&p, &o) in &work.offsets {
            offsets
                .add_partition_offset(&self.cfg.orders_topic, p, Offset::Offset(o))
                .map_err(|e| format!("offsets: {e}"))?;
        }
        let group = self
            .consumer
            .group_metadata()
            .ok_or("the consumer has no group metadata")?;
        Ok(Job {
            offsets,
            group,
            counts: work.counts,
            snapshots: work.snapshots,
        })
    }

    fn publish_gauges(&self) {
        let mut lines = String::new();
        let mut ready = self.assigned_once;
        let positions = self.consumer.position().ok();
        let lags = self
            .consumer
            .context()
            .lag
            .lock()
            .expect("not poisoned")
            .clone();
        for shard in self.shards.values() {
            let p = shard.partition;
            let position = positions
                .as_ref()
                .and_then(|t| t.find_partition(&self.cfg.orders_topic, p))
                .and_then(|e| match e.offset() {
                    Offset::Offset(o) => Some(o),
                    _ => None,
                })
                .unwrap_or(shard.next_offset);
            let restored = shard.next_offset >= shard.replay_until
                || position.max(shard.next_offset) >= shard.replay_until;
            ready &= restored;
            let lag = lags.get(&p).copied().unwrap_or(0);
            lines.push_str(&format!(
                "engine_consumer_lag{{partition=\"{p}\"}} {lag}\n\
                 engine_partition_next_offset{{partition=\"{p}\"}} {}\n\
                 engine_partition_seq{{partition=\"{p}\"}} {}\n\
                 engine_partition_restored{{partition=\"{p}\"}} {}\n",
                shard.next_offset,
                shard.seq(),
                u8::from(restored),
            ));
            for (id, name) in shard.symbol_names().iter().enumerate() {
                lines.push_str(&format!(
                    "engine_symbol_last_seq{{partition=\"{p}\",symbol=\"{name}\"}} {}\n",
                    shard.last_seq[id]
                ));
            }
        }
        self.metrics.set_gauges(lines, ready);
    }
}
