//! Entry point: read the configuration, start the metrics endpoint, run the engine loop.
//! The process is crash-only: any fatal error exits non-zero and a restart recovers.

use std::sync::Arc;

use engine_service::config::{usage, Config};
use engine_service::metrics::{serve, Metrics};
use engine_service::service::Service;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", usage());
        return;
    }
    let cfg = match Config::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("engine: {e}");
            std::process::exit(64);
        }
    };
    eprintln!("engine: starting with {cfg:?}");
    let metrics = Arc::new(Metrics::default());
    if cfg.metrics_port != 0 {
        if let Err(e) = serve(metrics.clone(), cfg.metrics_port) {
            eprintln!("engine: metrics port {}: {e}", cfg.metrics_port);
            std::process::exit(1);
        }
    }
    let result = Service::build(cfg, metrics).and_then(Service::run);
    if let Err(e) = result {
        eprintln!("engine: stopped: {e}");
        std::process::exit(1);
    }
}
