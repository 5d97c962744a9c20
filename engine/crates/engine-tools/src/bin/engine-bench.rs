//! engine-bench FILE [--warmup N]
//!
//! Parses the workload first, then runs it single-threaded through a fresh engine twice:
//! a timed pass (Instant around every operation, into a histogram) and an untimed pass for
//! throughput. Each operation's events are collected into a reused buffer and encoded into the
//! wire form in a reused byte buffer, as the service would.
use std::process::ExitCode;
use std::time::Instant;

use engine_core::{wire, Command, Engine, EventKind, OrderType, TimeInForce};
use engine_tools::histogram::Histogram;
use engine_tools::workload::parse;

/// Nanoseconds this thread has spent on a CPU (Linux schedstat), if available.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Minor page faults of this process so far (Linux /proc), if available.
fn minor_faults() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; minflt is the 10th field overall.
    s.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(7)?
        .parse()
        .ok()
}

struct Pass {
    faults: Option<u64>,
    secs: f64,
    cpu_secs: Option<f64>,
    trades: u64,
    events: u64,
    wire_bytes: u64,
    open_orders: usize,
}

/// Operation classes reported separately, so that the tail can be traced to its cause.
const CLASSES: [&str; 5] = [
    "limit GTC",
    "IOC/FOK/market",
    "other new",
    "cancel",
    "replace",
];

fn class_of(cmd: &Command) -> usize {
    match cmd {
        Command::New(o) => match (o.order_type, o.tif) {
            (OrderType::Limit, TimeInForce::Gtc) if o.iceberg_qty == 0 => 0,
            (OrderType::Limit, _) | (OrderType::Market, _) => 1,
            _ => 2,
        },
        Command::Cancel { .. } => 3,
        Command::Replace { .. } => 4,
        Command::CreateSymbol { .. } | Command::MassCancel { .. } => 2,
    }
}

/// Latency of every operation and of each class, and a checksum of the wire bytes (outside
/// the timed region), which must not change when the engine is made faster.
struct Latency {
    all: Histogram,
    by_class: Vec<Histogram>,
    wire_checksum: u64,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Median cost of one `Instant::now()` + `elapsed()` pair: included in every latency figure.
fn timer_overhead_ns() -> u64 {
    let mut h = Histogram::new();
    for _ in 0..100_000 {
        let t0 = Instant::now();
        h.record(t0.elapsed().as_nanos() as u64);
    }
    h.quantile_per_mille(500)
}

fn run(cmds: &[Command], mut hist: Option<&mut Latency>) -> Pass {
    let live = cmds.iter().filter(|c| matches!(c, Command::New(_))).count();
    let mut engine = Engine::with_capacity(live.min(1 << 18));
    let mut out = Vec::with_capacity(1024);
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut trades = 0u64;
    let mut events = 0u64;
    let mut wire_bytes = 0u64;
    let faults0 = minor_faults();
    let cpu0 = cpu_ns();
    let start = Instant::now();
    for cmd in cmds {
        let t0 = hist.as_ref().map(|_| Instant::now());
        out.clear();
        buf.clear();
        engine.apply(cmd, &mut out);
        wire::encode_all(&out, &mut buf);
        if let (Some(h), Some(t0)) = (hist.as_deref_mut(), t0) {
            let ns = t0.elapsed().as_nanos() as u64;
            h.all.record(ns);
            h.by_class[class_of(cmd)].record(ns);
            h.wire_checksum = fnv1a(h.wire_checksum, &buf);
        }
        events += out.len() as u64;
        wire_bytes += buf.len() as u64;
        trades += out
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Trade { .. }))
            .count() as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu_secs = match (cpu0, cpu_ns()) {
        (Some(a), Some(b)) => Some((b - a) as f64 / 1e9),
        _ => None,
    };
    std::hint::black_box(&buf);
    Pass {
        faults: minor_faults().zip(faults0).map(|(b, a)| b - a),
        secs,
        cpu_secs,
        trades,
        events,
        wire_bytes,
        open_orders: engine.open_orders(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut warmup: usize = 0;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--warmup" => {
                let Some(n) = args.get(i + 1).and_then(|v| v.parse().ok()) else {
                    eprintln!("--warmup needs a number");
                    return ExitCode::from(2);
                };
                warmup = n;
                i += 2;
            }
            f => {
                file = Some(f.to_string());
                i += 1;
            }
        }
    }
    let Some(file) = file else {
        eprintln!("usage: engine-bench FILE [--warmup N]");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cmds = match parse(&text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    drop(text);
    let orders = cmds.iter().filter(|c| matches!(c, Command::New(_))).count();
    if warmup > 0 {
        run(&cmds[..warmup.min(cmds.len())], None);
    }
    let mut lat = Latency {
        all: Histogram::new(),
        by_class: vec![Histogram::new(); CLASSES.len()],
        wire_checksum: FNV_OFFSET,
    };
    let timer_ns = timer_overhead_ns();
    let timed = run(&cmds, Some(&mut lat));
    let hist = &lat.all;
    let untimed = run(&cmds, None);
    let n = cmds.len() as f64;
    println!(
        "ops {} | timed pass {:.0} ops/s | untimed pass {:.3} s, {:.0} ops/s | events {} | wire bytes {} | open orders at end {}",
        cmds.len(),
        n / timed.secs,
        untimed.secs,
        n / untimed.secs,
        untimed.events,
        untimed.wire_bytes,
        untimed.open_orders
    );
    if let Some(cpu) = untimed.cpu_secs {
        println!(
            "untimed pass on-CPU time {:.3} s ({:.0} ops per CPU-second; wall/CPU = {:.2}, >1 means the thread waited for a core)",
            cpu,
            n / cpu,
            untimed.secs / cpu
        );
    }
    if let Some(cpu) = timed.cpu_secs {
        println!("timed pass wall {:.3} s, on-CPU {:.3} s", timed.secs, cpu);
    }
    if let (Some(t), Some(u)) = (timed.faults, untimed.faults) {
        println!("page faults: timed pass {t}, untimed pass {u}");
    }
    println!(
        "wire checksum {:016x} (FNV-1a of every encoded event); timer overhead ~{timer_ns} ns per operation, included below",
        lat.wire_checksum
    );
    println!(
        "latency ns: p50 {} p90 {} p99 {} p99.9 {} p99.99 {} max {}",
        hist.quantile_per_mille(500),
        hist.quantile_per_mille(900),
        hist.quantile_per_mille(990),
        hist.quantile_per_mille(999),
        hist.quantile(9_999, 10_000),
        hist.max()
    );
    for (name, h) in CLASSES.iter().zip(&lat.by_class) {
        println!(
            "  {name:<15} {:>5.1}% of ops: p50 {} p99 {} p99.9 {} ns; {:.2}% of all ops are this class over 1 us",
            100.0 * h.count() as f64 / n,
            h.quantile_per_mille(500),
            h.quantile_per_mille(990),
            h.quantile_per_mille(999),
            100.0 * h.count_above(1_000) as f64 / n,
        );
    }
    println!(
        "{}",
        serde_json::json!({
            "ops_per_sec": (n / untimed.secs).round() as u64,
            "p50_ns": hist.quantile_per_mille(500),
            "p99_ns": hist.quantile_per_mille(990),
            "p999_ns": hist.quantile_per_mille(999),
            "orders": orders,
            "trades": untimed.trades,
        })
    );
    assert_eq!(timed.trades, untimed.trades, "deterministic");
    ExitCode::SUCCESS
}
