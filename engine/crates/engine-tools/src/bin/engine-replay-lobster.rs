//! engine-replay-lobster MESSAGES ORDERBOOK --mode state|matching
use std::process::ExitCode;

use engine_tools::lobster::{parse_messages, parse_rows, replay, Mode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut files = Vec::new();
    let mut mode = Mode::State;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--mode" => match it.next().map(String::as_str) {
                Some("state") => mode = Mode::State,
                Some("matching") => mode = Mode::Matching,
                other => {
                    eprintln!("--mode must be state or matching, got {other:?}");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("usage: engine-replay-lobster MESSAGES ORDERBOOK --mode state|matching");
                return ExitCode::SUCCESS;
            }
            _ => files.push(a.clone()),
        }
    }
    if files.len() != 2 {
        eprintln!("usage: engine-replay-lobster MESSAGES ORDERBOOK --mode state|matching");
        return ExitCode::from(2);
    }
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"));
    let parsed = read(&files[0])
        .and_then(|t| parse_messages(&t))
        .and_then(|m| Ok((m, parse_rows(&read(&files[1])?)?)));
    let (msgs, rows) = match parsed {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if msgs.len() != rows.len() {
        eprintln!(
            "error: {} messages but {} order-book rows",
            msgs.len(),
            rows.len()
        );
        return ExitCode::FAILURE;
    }
    let report = replay(&msgs, &rows, mode);
    for line in &report.mismatches {
        println!("mismatch: {line}");
    }
    for line in &report.other_orders {
        println!("other-order execution: {line}");
    }
    println!("{}", report.summary_json());
    ExitCode::SUCCESS
}
