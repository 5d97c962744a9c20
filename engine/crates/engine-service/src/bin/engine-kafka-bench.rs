//! Load generator for the engine service: produces `NEW_ORDER` commands to the orders topic
//! (at full speed or at `--rate` per second) and reads the execution reports back
//! (read_committed), measuring command-to-report latency from the `ts_ns` each command
//! carries (the engine echoes it). Prints one JSON line:
//! `{"orders_per_sec": ..., "p50_ms": ..., "p99_ms": ..., "orders": ...}`.
//!
//! Flags: `--bootstrap-servers`, `--orders-topic`, `--executions-topic`, `--orders N`,
//! `--rate R` (0 = full speed), `--symbols S`, `--accounts A`, `--create-symbols`
//! (list the symbols first), `--timeout-s T`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use serde::Deserialize;

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_nanos() as u64
}

fn flag(args: &[String], name: &str, default: &str) -> String {
    let f = format!("--{name}");
    args.iter()
        .position(|a| *a == f)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

#[derive(Deserialize)]
struct Report<'a> {
    exec_type: &'a str,
    ts_ns: u64,
    #[serde(borrow)]
    command_id: Option<&'a str>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let servers = flag(&args, "bootstrap-servers", "127.0.0.1:19092");
    let orders_topic = flag(&args, "orders-topic", "orders.v1");
    let executions_topic = flag(&args, "executions-topic", "executions.v1");
    let n: u64 = flag(&args, "orders", "100000").parse().expect("--orders");
    let rate: f64 = flag(&args, "rate", "0").parse().expect("--rate");
    let symbols: usize = flag(&args, "symbols", "8").parse().expect("--symbols");
    let accounts: u64 = flag(&args, "accounts", "1000").parse().expect("--accounts");
    let timeout = Duration::from_secs(
        flag(&args, "timeout-s", "120")
            .parse()
            .expect("--timeout-s"),
    );
    let run_id = flag(&args, "run-id", &format!("{}", now_ns() % 1_000_000_000));
    let create = args.iter().any(|a| a == "--create-symbols");
    let names: Vec<String> = (0..symbols).map(|i| format!("BENCH{i}")).collect();

    // Consumer first, from the end of every partition, so that no report is missed.
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &servers)
        .set("group.id", format!("bench-{run_id}"))
        .set("isolation.level", "read_committed")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "5")
        .create()
        .expect("consumer");
    let meta = consumer
        .fetch_metadata(Some(&executions_topic), Duration::from_secs(10))
        .expect("metadata");
    let mut tpl = TopicPartitionList::new();
    for t in meta.topics() {
        for p in t.partitions() {
            let (_, high) = consumer
                .fetch_watermarks(&executions_topic, p.id(), Duration::from_secs(10))
                .expect("watermarks");
            tpl.add_partition_offset(&executions_topic, p.id(), Offset::Offset(high))
                .expect("offset");
        }
    }
    consumer.assign(&tpl).expect("assign");

    let prefix = format!("b{run_id}-");
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let done = done.clone();
        let stop = stop.clone();
        let prefix = prefix.clone();
        std::thread::spawn(move || {
            let mut latencies: Vec<u64> = Vec::with_capacity(n as usize);
            let mut last_at = Instant::now();
            while !stop.load(Ordering::Relaxed) && (latencies.len() as u64) < n {
                match consumer.poll(Duration::from_millis(50)) {
                    Some(Ok(m)) => {
                        let Some(p) = m.payload() else { continue };
                        let Ok(r) = serde_json::from_slice::<Report>(p) else {
                            continue;
                        };
                        let ours = r.command_id.is_some_and(|c| c.starts_with(&prefix));
                        if ours && (r.exec_type == "NEW" || r.exec_type == "REJECTED") {
                            latencies.push(now_ns().saturating_sub(r.ts_ns));
                            done.fetch_add(1, Ordering::Relaxed);
                            last_at = Instant::now();
                        }
                    }
                    Some(Err(e)) => eprintln!("bench: consumer: {e}"),
                    None => {}
                }
            }
            (latencies, last_at)
        })
    };

    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &servers)
        // 1 ms at a fixed rate: a request per message would load the broker more than the engine.
        .set("linger.ms", if rate > 0.0 { "1" } else { "5" })
        .set("acks", "1")
        .set("batch.num.messages", "10000")
        .set("queue.buffering.max.messages", "1000000")
        .set("partitioner", "murmur2_random")
        .set("delivery.report.only.error", "true")
        .create()
        .expect("producer");
    let send = |key: &str, payload: &str| {
        let mut record = BaseRecord::to(&orders_topic).key(key).payload(payload);
        loop {
            match producer.send(record) {
                Ok(()) => return,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    record = r;
                    producer.poll(Duration::from_millis(1));
                }
                Err((e, _)) => panic!("produce: {e}"),
            }
        }
    };
    if create {
        for s in &names {
            let c = format!(
                r#"{{"type":"CREATE_SYMBOL","command_id":"{prefix}create-{s}","symbol":"{s}","tick_size":1,"lot_size":1,"reference_price":10000}}"#
            );
            send(s, &c);
        }
        producer.flush(Duration::from_secs(10)).expect("flush");
        std::thread::sleep(Duration::from_millis(500));
    }

    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ now_ns();
    let start = Instant::now();
    let mut buf = String::with_capacity(512);
    for i in 0..n {
        if rate > 0.0 {
            // Sleep at least a millisecond and then send every order that fell due: spinning
            // until each order's exact time would take a core from the broker and the engine.
            // Each command carries the time it is really sent, so latency stays honest.
            let due = start + Duration::from_secs_f64(i as f64 / rate);
            let now = Instant::now();
            if due > now {
                producer.poll(Duration::ZERO);
                std::thread::sleep((due - now).max(Duration::from_millis(1)));
            }
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let sym = &names[(x % symbols as u64) as usize];
        let buy = (x >> 8) & 1 == 0;
        let aggressive = (x >> 9) % 4 == 0;
        let off = ((x >> 12) % 10) as i64;
        // Passive orders rest within 10 ticks of 10000; aggressive IOC orders cross.
        let (price, tif) = match (buy, aggressive) {
            (true, false) => (9999 - off, "GTC"),
            (false, false) => (10001 + off, "GTC"),
            (true, true) => (10010, "IOC"),
            (false, true) => (9990, "IOC"),
        };
        let qty = 1 + ((x >> 20) % 10) as i64;
        let account = (x >> 32) % accounts;
        buf.clear();
        use std::fmt::Write;
        write!(
            buf,
            r#"{{"type":"NEW_ORDER","command_id":"{prefix}{i}","account":{account},"symbol":"{sym}","side":"{}","order_type":"LIMIT","time_in_force":"{tif}","price":{price},"qty":{qty},"ts_ns":{}}}"#,
            if buy { "BUY" } else { "SELL" },
            now_ns()
        )
        .expect("write to String");
        send(sym, &buf);
        if i % 1024 == 0 {
            producer.poll(Duration::ZERO);
        }
    }
    producer.flush(Duration::from_secs(60)).expect("flush");
    let produced_in = start.elapsed();
    let deadline = Instant::now() + timeout;
    while done.load(Ordering::Relaxed) < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    let (mut lat, last_at) = reader.join().expect("reader");
    lat.sort_unstable();
    let pct = |q: f64| -> f64 {
        if lat.is_empty() {
            return f64::NAN;
        }
        let i = ((lat.len() as f64 - 1.0) * q).round() as usize;
        lat[i] as f64 / 1e6
    };
    let elapsed = last_at.duration_since(start).as_secs_f64();
    let mut result = BTreeMap::new();
    result.insert("orders", serde_json::json!(lat.len()));
    result.insert(
        "orders_per_sec",
        serde_json::json!((lat.len() as f64 / elapsed).round()),
    );
    result.insert(
        "p50_ms",
        serde_json::json!((pct(0.5) * 1000.0).round() / 1000.0),
    );
    result.insert(
        "p99_ms",
        serde_json::json!((pct(0.99) * 1000.0).round() / 1000.0),
    );
    result.insert(
        "max_ms",
        serde_json::json!((pct(1.0) * 1000.0).round() / 1000.0),
    );
    result.insert("offered_rate", serde_json::json!(rate));
    result.insert(
        "produce_per_sec",
        serde_json::json!((n as f64 / produced_in.as_secs_f64()).round()),
    );
    eprintln!("bench: {} of {n} orders answered", lat.len());
    // The last line: the contract of `xi bench engine-kafka`, keys in this order.
    println!(
        "{{\"orders_per_sec\": {}, \"p50_ms\": {}, \"p99_ms\": {}, \"orders\": {}, \"max_ms\": {}, \"offered_rate\": {}, \"produce_per_sec\": {}}}",
        result["orders_per_sec"],
        result["p50_ms"],
        result["p99_ms"],
        result["orders"],
        result["max_ms"],
        result["offered_rate"],
        result["produce_per_sec"],
    );
    if (lat.len() as u64) < n {
        std::process::exit(1);
    }
}
