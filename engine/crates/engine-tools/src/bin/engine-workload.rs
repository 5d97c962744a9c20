//! engine-workload --out FILE --ops N --seed S [--symbols K --accounts A]
use std::process::ExitCode;

use engine_tools::workload::{generate, WorkloadSpec};

fn main() -> ExitCode {
    let usage = "usage: engine-workload --out FILE --ops N --seed S [--symbols K --accounts A]";
    let mut out = None;
    let mut spec = WorkloadSpec {
        ops: 1_000_000,
        seed: 1,
        symbols: 8,
        accounts: 1_000,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let val = args.get(i + 1).cloned().unwrap_or_default();
        let num = || val.replace('_', "").parse::<u64>().ok();
        let ok = match args[i].as_str() {
            "--out" => {
                out = Some(val.clone());
                true
            }
            "--ops" => num().map(|v| spec.ops = v).is_some(),
            "--seed" => num().map(|v| spec.seed = v).is_some(),
            "--symbols" => num()
                .filter(|&v| (1..=u64::from(engine_core::MAX_SYMBOLS)).contains(&v))
                .map(|v| spec.symbols = v as u32)
                .is_some(),
            "--accounts" => num()
                .filter(|&v| v > 0)
                .map(|v| spec.accounts = v)
                .is_some(),
            _ => false,
        };
        if !ok {
            eprintln!("bad argument {:?}\n{usage}", args[i]);
            return ExitCode::from(2);
        }
        i += 2;
    }
    let Some(path) = out else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let text = generate(&spec);
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("error: {path}: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {path}: {} ops, seed {}, {} symbols, {} accounts",
        spec.ops, spec.seed, spec.symbols, spec.accounts
    );
    ExitCode::SUCCESS
}
