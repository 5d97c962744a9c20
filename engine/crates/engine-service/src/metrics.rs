//! Prometheus text metrics and a readiness check over a minimal HTTP/1.1 server on std.
//!
//! `GET /metrics`: counters and gauges. `GET /ready`: 200 once the process has its
//! partitions and every shard is restored (replayed up to the committed offset), else 503.
//! `GET /health`: 200 while the process runs.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Stages of the loop, timed separately. The engine thread collects, matches and serializes
/// (process), waits for the previous transaction, and hands the messages to the producer;
/// the commit thread sends the offsets and commits.
#[derive(Debug, Clone, Copy)]
pub enum Stage {
    Collect = 0,
    Process = 1,
    Wait = 2,
    Produce = 3,
    SendOffsets = 4,
    Commit = 5,
}

const STAGES: [&str; 6] = [
    "collect",
    "process",
    "wait",
    "produce",
    "send_offsets",
    "commit",
];

/// Shared between the engine loop (writer) and the HTTP thread (reader).
#[derive(Debug, Default)]
pub struct Metrics {
    pub commands_total: AtomicU64,
    pub replayed_total: AtomicU64,
    pub rejects_total: AtomicU64,
    pub events_total: AtomicU64,
    /// Messages produced per output topic: executions, trades, book.
    pub messages_total: [AtomicU64; 3],
    pub transactions_total: AtomicU64,
    pub aborts_total: AtomicU64,
    pub rebuilds_total: AtomicU64,
    pub snapshots_total: AtomicU64,
    /// Time spent per [`Stage`], in microseconds.
    stage_us: [AtomicU64; 6],
    ready: AtomicBool,
    gauges: Mutex<String>,
}

impl Metrics {
    /// Replace the per-partition and per-symbol gauge lines and the readiness.
    pub fn set_gauges(&self, lines: String, ready: bool) {
        *self.gauges.lock().expect("not poisoned") = lines;
        self.ready.store(ready, Ordering::Relaxed);
    }

    /// Add the time since `since` to a stage.
    pub fn add_stage(&self, stage: Stage, since: Instant) {
        self.stage_us[stage as usize]
            .fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    pub fn ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let c = |name: &str, help: &str, v: &AtomicU64| {
            format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                v.load(Ordering::Relaxed)
            )
        };
        let mut s = String::new();
        s += &c(
            "engine_commands_total",
            "commands processed live",
            &self.commands_total,
        );
        s += &c(
            "engine_commands_replayed_total",
            "commands replayed after a restore (no output)",
            &self.replayed_total,
        );
        s += &c(
            "engine_rejects_total",
            "commands rejected",
            &self.rejects_total,
        );
        s += &c(
            "engine_events_total",
            "engine events of live commands",
            &self.events_total,
        );
        s += "# HELP engine_messages_total messages produced per topic\n";
        s += "# TYPE engine_messages_total counter\n";
        for (i, t) in ["executions", "trades", "book"].iter().enumerate() {
            s += &format!(
                "engine_messages_total{{topic=\"{t}\"}} {}\n",
                self.messages_total[i].load(Ordering::Relaxed)
            );
        }
        s += &c(
            "engine_transactions_total",
            "committed transactions",
            &self.transactions_total,
        );
        s += &c(
            "engine_aborts_total",
            "aborted transactions",
            &self.aborts_total,
        );
        s += &c(
            "engine_rebuilds_total",
            "state rebuilds after an abort",
            &self.rebuilds_total,
        );
        s += &c(
            "engine_snapshots_total",
            "shard snapshots written",
            &self.snapshots_total,
        );
        s += "# HELP engine_stage_seconds_total time spent per stage of the loop\n";
        s += "# TYPE engine_stage_seconds_total counter\n";
        for (i, t) in STAGES.iter().enumerate() {
            s += &format!(
                "engine_stage_seconds_total{{stage=\"{t}\"}} {:.6}\n",
                self.stage_us[i].load(Ordering::Relaxed) as f64 / 1e6
            );
        }
        s += "# TYPE engine_ready gauge\n";
        s += &format!("engine_ready {}\n", u8::from(self.ready()));
        s += "# TYPE engine_consumer_lag gauge\n# TYPE engine_symbol_last_seq gauge\n";
        s += &self.gauges.lock().expect("not poisoned");
        s
    }
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn handle(metrics: &Metrics, mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    match path {
        "/metrics" => respond(&mut stream, "200 OK", &metrics.render()),
        "/ready" if metrics.ready() => respond(&mut stream, "200 OK", "ready\n"),
        "/ready" => respond(&mut stream, "503 Service Unavailable", "not ready\n"),
        "/health" => respond(&mut stream, "200 OK", "ok\n"),
        _ => respond(&mut stream, "404 Not Found", "not found\n"),
    }
}

/// Bind `port` on loopback and serve in a background thread.
pub fn serve(metrics: std::sync::Arc<Metrics>, port: u16) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    std::thread::Builder::new()
        .name("metrics".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Err(e) = handle(&metrics, stream) {
                    eprintln!("engine: metrics request failed: {e}");
                }
            }
        })?;
    Ok(())
}
