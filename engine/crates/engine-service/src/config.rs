//! Configuration from command-line flags (`--name value`) and environment variables
//! (`ENGINE_NAME`, upper case, `-` as `_`); a flag wins over the environment.

use std::path::PathBuf;

/// Everything the service needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub bootstrap_servers: String,
    pub group_id: String,
    /// Stable per process: a restarted process with the same id fences its previous self.
    pub transactional_id: String,
    pub orders_topic: String,
    pub executions_topic: String,
    pub trades_topic: String,
    pub book_topic: String,
    /// Shared by every engine process of the group (a partition's snapshot moves with it).
    pub snapshot_dir: PathBuf,
    /// Write a shard's snapshot after this many commands of its partition.
    pub snapshot_interval: u64,
    /// Emit a full book snapshot of every symbol of a partition every this many input offsets.
    pub book_snapshot_interval: i64,
    /// 0 disables the HTTP endpoint.
    pub metrics_port: u16,
    /// At most this many commands in one transaction.
    pub batch_size: usize,
    /// How long to wait for more commands once a batch has one, when none is queued.
    pub linger_ms: u64,
    /// librdkafka `linger.ms` of the producer (a commit flushes anyway).
    pub producer_linger_ms: u64,
    pub session_timeout_ms: u64,
    pub transaction_timeout_ms: u64,
    /// Extra librdkafka properties (`key=value,key=value`) for the producer and the consumer.
    pub producer_config: Vec<(String, String)>,
    pub consumer_config: Vec<(String, String)>,
}

/// `k=v,k=v`; a segment without `=` continues the previous value (`debug=eos,protocol`).
fn pairs(name: &str, v: Option<String>) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for seg in v
        .iter()
        .flat_map(|v| v.split(','))
        .filter(|s| !s.is_empty())
    {
        match (seg.split_once('='), out.last_mut()) {
            (Some((k, v)), _) => out.push((k.trim().to_string(), v.trim().to_string())),
            (None, Some(last)) => {
                last.1.push(',');
                last.1.push_str(seg.trim());
            }
            (None, None) => return Err(format!("--{name}: expected key=value, got {seg:?}")),
        }
    }
    Ok(out)
}

/// Flags: (name, help). The env var is `ENGINE_` + upper-cased name with `_`.
pub const FLAGS: &[(&str, &str)] = &[
    (
        "bootstrap-servers",
        "Kafka bootstrap servers [127.0.0.1:19092]",
    ),
    (
        "group-id",
        "consumer group of the engine processes [engine]",
    ),
    (
        "transactional-id",
        "stable transactional id of this process [engine-0]",
    ),
    ("topic-prefix", "prefix for all four topic names []"),
    ("orders-topic", "input topic [<prefix>orders.v1]"),
    (
        "executions-topic",
        "execution reports [<prefix>executions.v1]",
    ),
    ("trades-topic", "trades [<prefix>trades.v1]"),
    (
        "book-topic",
        "L2 changes and book snapshots [<prefix>book.v1]",
    ),
    (
        "snapshot-dir",
        "shared directory of shard snapshots [.state/engine/snapshots]",
    ),
    (
        "snapshot-interval",
        "commands per partition between snapshots [100000]",
    ),
    (
        "book-snapshot-interval",
        "input offsets between full book snapshots [10000]",
    ),
    (
        "metrics-port",
        "HTTP port of /metrics and /ready, 0 = off [18601]",
    ),
    ("batch-size", "most commands per transaction [10000]"),
    (
        "linger-ms",
        "wait for more commands before committing a batch [0]",
    ),
    (
        "producer-linger-ms",
        "librdkafka linger.ms of the producer [5]",
    ),
    (
        "session-timeout-ms",
        "consumer group session timeout [10000]",
    ),
    ("transaction-timeout-ms", "transaction timeout [10000]"),
    (
        "producer-config",
        "extra librdkafka producer properties k=v,k=v []",
    ),
    (
        "consumer-config",
        "extra librdkafka consumer properties k=v,k=v []",
    ),
];

fn lookup(args: &[String], name: &str) -> Result<Option<String>, String> {
    let flag = format!("--{name}");
    let prefix = format!("--{name}=");
    let mut found = None;
    let mut i = 0;
    while i < args.len() {
        if args[i] == flag {
            let v = args.get(i + 1).ok_or(format!("{flag} needs a value"))?;
            found = Some(v.clone());
            i += 1;
        } else if let Some(v) = args[i].strip_prefix(&prefix) {
            found = Some(v.to_string());
        }
        i += 1;
    }
    if found.is_some() {
        return Ok(found);
    }
    let env = format!("ENGINE_{}", name.to_uppercase().replace('-', "_"));
    Ok(std::env::var(env).ok().filter(|v| !v.is_empty()))
}

fn parse_num<T: std::str::FromStr>(name: &str, v: Option<String>, default: T) -> Result<T, String> {
    match v {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| format!("--{name}: not a number: {s:?}")),
    }
}

/// Usage text listing every flag.
pub fn usage() -> String {
    let mut s = String::from("engine-service [--flag value]...\n");
    for (name, help) in FLAGS {
        let env = format!("ENGINE_{}", name.to_uppercase().replace('-', "_"));
        s.push_str(&format!("  --{name:<24} {help} (env {env})\n"));
    }
    s
}

impl Config {
    /// Parse `args` (without the program name) over the environment.
    pub fn parse(args: &[String]) -> Result<Config, String> {
        for a in args {
            if let Some(name) = a.strip_prefix("--") {
                let name = name.split('=').next().unwrap_or(name);
                if !FLAGS.iter().any(|(f, _)| *f == name) {
                    return Err(format!("unknown flag --{name}\n{}", usage()));
                }
            }
        }
        let get = |name: &str| lookup(args, name);
        let prefix = get("topic-prefix")?.unwrap_or_default();
        let topic = |name: &str, base: &str| -> Result<String, String> {
            Ok(get(name)?.unwrap_or_else(|| format!("{prefix}{base}")))
        };
        let cfg = Config {
            bootstrap_servers: get("bootstrap-servers")?
                .unwrap_or_else(|| "127.0.0.1:19092".into()),
            group_id: get("group-id")?.unwrap_or_else(|| "engine".into()),
            transactional_id: get("transactional-id")?.unwrap_or_else(|| "engine-0".into()),
            orders_topic: topic("orders-topic", "orders.v1")?,
            executions_topic: topic("executions-topic", "executions.v1")?,
            trades_topic: topic("trades-topic", "trades.v1")?,
            book_topic: topic("book-topic", "book.v1")?,
            snapshot_dir: get("snapshot-dir")?
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".state/engine/snapshots")),
            snapshot_interval: parse_num("snapshot-interval", get("snapshot-interval")?, 100_000)?,
            book_snapshot_interval: parse_num(
                "book-snapshot-interval",
                get("book-snapshot-interval")?,
                10_000,
            )?,
            metrics_port: parse_num("metrics-port", get("metrics-port")?, 18601)?,
            batch_size: parse_num("batch-size", get("batch-size")?, 10_000)?,
            linger_ms: parse_num("linger-ms", get("linger-ms")?, 0)?,
            producer_linger_ms: parse_num("producer-linger-ms", get("producer-linger-ms")?, 5)?,
            session_timeout_ms: parse_num(
                "session-timeout-ms",
                get("session-timeout-ms")?,
                10_000,
            )?,
            transaction_timeout_ms: parse_num(
                "transaction-timeout-ms",
                get("transaction-timeout-ms")?,
                10_000,
            )?,
            producer_config: pairs("producer-config", get("producer-config")?)?,
            consumer_config: pairs("consumer-config", get("consumer-config")?)?,
        };
        if cfg.batch_size == 0 || cfg.snapshot_interval == 0 || cfg.book_snapshot_interval <= 0 {
            return Err(
                "batch-size, snapshot-interval and book-snapshot-interval must be > 0".into(),
            );
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn test_config_flags_and_prefix() {
        let c = Config::parse(&args(&[
            "--topic-prefix",
            "t1.",
            "--book-topic=b",
            "--batch-size",
            "7",
            "--producer-config",
            "linger.ms=3,debug=eos,protocol",
        ]))
        .unwrap();
        assert_eq!(
            c.producer_config,
            [
                ("linger.ms".into(), "3".into()),
                ("debug".into(), "eos,protocol".into())
            ]
        );
        assert_eq!(c.orders_topic, "t1.orders.v1");
        assert_eq!(c.executions_topic, "t1.executions.v1");
        assert_eq!(c.book_topic, "b");
        assert_eq!(c.batch_size, 7);
    }

    #[test]
    fn test_config_rejects_unknown_flag_and_bad_number() {
        assert!(Config::parse(&args(&["--nope", "1"])).is_err());
        assert!(Config::parse(&args(&["--batch-size", "x"])).is_err());
    }
}
