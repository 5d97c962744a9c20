//! Runs the replay binary on the LOBSTER sample copied into `engine/testdata/lobster/`.

use std::path::PathBuf;
use std::process::Command;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/lobster")
        .join(name)
}

fn run(mode: &str) -> (Vec<String>, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_engine-replay-lobster"))
        .arg(data("AMZN_2012-06-21_34200000_46218000_message_1.csv"))
        .arg(data("AMZN_2012-06-21_34200000_46218000_orderbook_1.csv"))
        .args(["--mode", mode])
        .output()
        .expect("replay runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let last = lines.last().expect("a summary line");
    let json: serde_json::Value = serde_json::from_str(last).expect("last line is JSON");
    (lines, json)
}

fn n(v: &serde_json::Value, k: &str) -> u64 {
    v[k].as_u64()
        .unwrap_or_else(|| panic!("{k} missing in {v}"))
}

#[test]
fn test_state_replay_matches_every_row() {
    let (lines, j) = run("state");
    assert_eq!(n(&j, "messages"), 30_000);
    assert_eq!(n(&j, "rows_compared"), 29_999);
    assert_eq!(n(&j, "rows_matching"), 29_999, "{lines:?}");
    assert_eq!(n(&j, "executions_other_order"), 0);
}

#[test]
fn test_matching_replay_within_target_and_every_other_order_explained() {
    let (lines, j) = run("matching");
    let compared = n(&j, "rows_compared");
    let matching = n(&j, "rows_matching");
    assert!(matching * 100 >= compared * 99, "{matching}/{compared}");
    assert!(n(&j, "executions") > 4_000);
    let other = n(&j, "executions_other_order") as usize;
    let listed: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("other-order execution:"))
        .collect();
    assert!(
        listed.len() >= other,
        "every other-order execution is listed"
    );
    for l in &listed {
        let reason = l.rsplit("): ").next().unwrap_or("");
        assert!(!reason.trim().is_empty(), "a reason is given: {l}");
    }
    // the feed's known priority exceptions in this sample are same-timestamp sweeps
    assert!(
        listed.iter().all(|l| l.contains("same timestamp sweep")),
        "{listed:#?}"
    );
}
