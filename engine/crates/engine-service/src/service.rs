//! The Kafka loop: consume commands, match, produce reports and commit the consumed offsets,
//! all in one Kafka transaction per batch.
//!
//! - **Stages, in one thread:** collect a batch (poll until nothing is queued, `batch_size`
//!   commands, or `linger_ms`), then process it (replayed commands change state only; live
//!   ones also produce), then `send_offsets_to_transaction` + `commit_transaction`. No
//!   transaction is open while the consumer is polled, so a rebalance (which runs inside a
//!   poll) always finds the in-memory state equal to the committed offsets.
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

use crate::config::Config;
use crate::metrics::Metrics;
use crate::shard::{read_snapshot, snapshot_path, write_snapshot, Outbox, Shard, Topic};

const COORDINATOR_TIMEOUT: Duration = Duration::from_secs(30);

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

/// The running service.
pub struct Service {
    cfg: Config,
    consumer: BaseConsumer<Ctx>,
    producer: ThreadedProducer<ProducerCtx>,
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

fn is_fatal(e: &KafkaError) -> bool {
    match e {
        KafkaError::Transaction(t) => t.is_fatal(),
        _ => false,
    }
}

fn is_retriable(e: &KafkaError) -> bool {
    match e {
        KafkaError::Transaction(t) => t.is_retriable(),
        _ => false,
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
        let ctx = Ctx {
            cfg: cfg.clone(),
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
            shards: BTreeMap::new(),
            metrics,
            assigned_once: false,
        })
    }

    /// Apply assignments and revocations noted by the rebalance callback. Returns the revoked
    /// partitions so that buffered commands of them can be dropped.
    fn apply_changes(&mut self, revoked_out: &mut Vec<i32>) {
        let changes = std::mem::take(&mut *self.consumer.context().changes.lock().expect("ok"));
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
                            if shard.since_snapshot > 0 && shard.next_offset > 0 {
                                self.snapshot(&shard);
                            }
                        }
                        revoked_out.push(p);
                    }
                }
            }
        }
    }

    fn snapshot(&self, shard: &Shard) {
        let path = snapshot_path(
            &self.cfg.snapshot_dir,
            &self.cfg.group_id,
            &self.cfg.orders_topic,
            shard.partition,
        );
        let t = Instant::now();
        match write_snapshot(&path, &shard.to_bytes()) {
            Ok(()) => {
                self.metrics.snapshots_total.fetch_add(1, Ordering::Relaxed);
                eprintln!(
                    "engine: snapshot of partition {} at offset {} in {:?}",
                    shard.partition,
                    shard.next_offset,
                    t.elapsed()
                );
            }
            Err(e) => eprintln!("engine: snapshot {} failed: {e}", path.display()),
        }
    }

    /// Throw away all in-memory state and restore every owned partition from its snapshot
    /// and the committed offsets (after an aborted transaction).
    fn rebuild(&mut self) -> Result<(), String> {
        let partitions: Vec<i32> = self.shards.keys().copied().collect();
        self.shards.clear();
        let restored = restore(&self.cfg, &self.consumer, &partitions)?;
        for r in restored {
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
        self.metrics.rebuilds_total.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Run until a fatal error.
    pub fn run(mut self) -> Result<(), String> {
        let linger = Duration::from_millis(self.cfg.linger_ms);
        let mut arena: Vec<u8> = Vec::new();
        let mut batch: Vec<Input> = Vec::new();
        let mut revoked: Vec<i32> = Vec::new();
        let mut outbox = Outbox::default();
        let mut last_gauges = Instant::now() - Duration::from_secs(10);
        loop {
            // 1. Collect.
            let t_collect = Instant::now();
            arena.clear();
            batch.clear();
            let mut first_at: Option<Instant> = None;
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
                self.apply_changes(&mut revoked);
                if !revoked.is_empty() {
                    batch.retain(|m| !revoked.contains(&m.partition));
                }
                if polled.is_none()
                    && (first_at.is_some() || last_gauges.elapsed() > Duration::from_secs(1))
                {
                    break;
                }
            }
            // 2. Process.
            let t_process = Instant::now();
            self.stage(0, t_collect);
            let mut offsets: BTreeMap<i32, i64> = BTreeMap::new();
            let mut txn_open = false;
            let mut live = 0u64;
            let mut replayed = 0u64;
            let mut rejected = 0u64;
            let mut events = 0u64;
            outbox.clear();
            for m in &batch {
                let Some(shard) = self.shards.get_mut(&m.partition) else {
                    continue;
                };
                if m.offset < shard.next_offset {
                    continue;
                }
                let payload = &arena[m.payload.clone()];
                if m.offset < shard.replay_until {
                    shard.process(
                        m.offset,
                        m.ts_ms,
                        payload,
                        None,
                        self.cfg.book_snapshot_interval,
                    );
                    replayed += 1;
                    continue;
                }
                if !txn_open {
                    self.producer
                        .begin_transaction()
                        .map_err(|e| format!("begin_transaction: {e}"))?;
                    txn_open = true;
                }
                let before = outbox.msgs.len();
                let o = shard.process(
                    m.offset,
                    m.ts_ms,
                    payload,
                    Some(&mut outbox),
                    self.cfg.book_snapshot_interval,
                );
                live += 1;
                events += o.events;
                rejected += u64::from(o.rejected);
                offsets.insert(m.partition, m.offset + 1);
                // Produce as we go so that librdkafka batches while we match.
                for msg in &outbox.msgs[before..] {
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
                            Err((
                                KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull),
                                r,
                            )) => {
                                // The polling thread frees the queue as acks arrive.
                                record = r;
                                std::thread::sleep(Duration::from_millis(1));
                            }
                            Err((e, _)) => return Err(format!("produce: {e}")),
                        }
                    }
                }
            }
            self.stage(1, t_process);
            // 3. Commit.
            if txn_open {
                match self.commit(&offsets) {
                    Ok(()) => {
                        self.metrics
                            .transactions_total
                            .fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) if is_fatal(&e) => return Err(format!("fatal (fenced?): {e}")),
                    Err(e) => {
                        eprintln!("engine: transaction failed, aborting and rebuilding: {e}");
                        self.metrics.aborts_total.fetch_add(1, Ordering::Relaxed);
                        if let Err(e) = self.producer.abort_transaction(COORDINATOR_TIMEOUT) {
                            return Err(format!("abort_transaction: {e}"));
                        }
                        self.rebuild()?;
                        continue;
                    }
                }
            }
            self.metrics
                .commands_total
                .fetch_add(live, Ordering::Relaxed);
            self.metrics
                .replayed_total
                .fetch_add(replayed, Ordering::Relaxed);
            self.metrics
                .rejects_total
                .fetch_add(rejected, Ordering::Relaxed);
            self.metrics
                .events_total
                .fetch_add(events, Ordering::Relaxed);
            // 4. Snapshots of committed state.
            let due: Vec<i32> = self
                .shards
                .values()
                .filter(|s| s.since_snapshot >= self.cfg.snapshot_interval)
                .map(|s| s.partition)
                .collect();
            for p in due {
                let shard = self.shards.get_mut(&p).expect("listed above");
                shard.since_snapshot = 0;
                let shard = &self.shards[&p];
                self.snapshot(shard);
            }
            if last_gauges.elapsed() >= Duration::from_secs(1) {
                self.publish_gauges();
                last_gauges = Instant::now();
            }
        }
    }

    fn commit(&self, offsets: &BTreeMap<i32, i64>) -> Result<(), KafkaError> {
        let mut tpl = TopicPartitionList::new();
        for (&p, &o) in offsets {
            tpl.add_partition_offset(&self.cfg.orders_topic, p, Offset::Offset(o))?;
        }
        let meta = self
            .consumer
            .group_metadata()
            .ok_or(KafkaError::Global(RDKafkaErrorCode::State))?;
        let t = Instant::now();
        self.producer
            .send_offsets_to_transaction(&tpl, &meta, COORDINATOR_TIMEOUT)?;
        self.stage(2, t);
        let t = Instant::now();
        let _done = StageTimer(self, 3, t);
        // With nothing left in flight, commit_transaction's own flush returns at once.
        flush_now(&self.producer, COORDINATOR_TIMEOUT)?;
        loop {
            match self.producer.commit_transaction(COORDINATOR_TIMEOUT) {
                Ok(()) => return Ok(()),
                Err(e) if is_retriable(&e) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn stage(&self, i: usize, since: Instant) {
        self.metrics.stage_us[i].fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
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

/// Send every queued message now, ignoring `linger.ms`, and wait until all are acknowledged.
///
/// rust-rdkafka's `flush` (also run by its `commit_transaction`) calls `rd_kafka_flush` with a
/// zero timeout and polls the delivery queue from the calling thread in steps that either
/// spin (below 1 ms) or last 100 ms; and while it waits, batches still sit out `linger.ms`.
/// The producer's polling thread serves delivery reports, so librdkafka's own blocking flush
/// can wait on its condition variable, and it sends lingering batches at once.
#[allow(unsafe_code)]
fn flush_now(
    producer: &ThreadedProducer<ProducerCtx>,
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

/// Adds the time until it is dropped to a stage counter.
struct StageTimer<'a>(&'a Service, usize, Instant);

impl Drop for StageTimer<'_> {
    fn drop(&mut self) {
        self.0.stage(self.1, self.2);
    }
}
