use serde_json::{json, Value};

use super::*;

fn schema(topic: &str) -> jsonschema::Validator {
    let path = format!(
        "{}/../../../xi/contracts/{topic}.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("schema file");
    let v: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&v).expect("valid schema")
}

fn assert_valid(topic: &str, msg: &Value) {
    let s = schema(topic);
    let errors: Vec<String> = s.iter_errors(msg).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{topic}: {msg} invalid: {errors:?}");
}

/// Feed commands at offsets 0.., returning (topic, key, message) of every output.
fn run(shard: &mut Shard, cmds: &[Value]) -> Vec<(Topic, String, Value)> {
    let mut out = Outbox::default();
    for (i, c) in cmds.iter().enumerate() {
        let offset = shard.next_offset.max(i as i64);
        shard.process(
            offset,
            1_700_000_000_000,
            c.to_string().as_bytes(),
            Some(&mut out),
            1000,
        );
    }
    decode(&out)
}

fn decode(out: &Outbox) -> Vec<(Topic, String, Value)> {
    out.msgs
        .iter()
        .map(|m| {
            let key = String::from_utf8(out.key(m).to_vec()).unwrap();
            let v: Value = serde_json::from_slice(out.payload(m)).unwrap();
            (m.topic, key, v)
        })
        .collect()
}

fn create(symbol: &str) -> Value {
    json!({"type": "CREATE_SYMBOL", "command_id": format!("c-{symbol}"), "symbol": symbol,
           "tick_size": 5, "lot_size": 1, "reference_price": 100})
}

fn limit(id: &str, account: u64, side: &str, price: i64, qty: i64) -> Value {
    json!({"type": "NEW_ORDER", "command_id": id, "client_order_id": id, "account": account,
           "symbol": "BTCUSDT", "side": side, "order_type": "LIMIT", "price": price, "qty": qty})
}

#[test]
fn test_shard_scripted_session_gives_expected_reports() {
    let mut shard = Shard::new(3);
    let cmds = [
        create("BTCUSDT"),
        limit("a1", 1, "SELL", 100, 5),
        limit("b1", 2, "BUY", 100, 3),
    ];
    let msgs = run(&mut shard, &cmds);
    for (topic, _, m) in &msgs {
        let name = match topic {
            Topic::Executions => "executions.v1",
            Topic::Trades => "trades.v1",
            Topic::Book => "book.v1",
        };
        assert_valid(name, m);
    }
    let execs: Vec<&Value> = msgs
        .iter()
        .filter(|(t, _, _)| *t == Topic::Executions)
        .map(|(_, _, m)| m)
        .collect();
    let types: Vec<&str> = execs
        .iter()
        .map(|m| m["exec_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["SYMBOL_CREATED", "NEW", "NEW", "TRADE", "TRADE"]);
    let maker_id = order_id(3, 1);
    assert_eq!(execs[1]["order_id"], maker_id);
    assert_eq!(execs[1]["client_order_id"], "a1");
    // The maker's fill goes to account 1 without the taker's command id.
    assert_eq!(execs[3]["account"], 1);
    assert_eq!(execs[3]["liquidity"], "MAKER");
    assert_eq!(execs[3]["command_id"], Value::Null);
    assert_eq!(execs[4]["command_id"], "b1");
    assert_eq!(execs[4]["qty"], 3);
    let trades: Vec<&(Topic, String, Value)> = msgs
        .iter()
        .filter(|(t, _, _)| *t == Topic::Trades)
        .collect();
    assert_eq!(trades.len(), 1);
    assert_eq!(trades[0].1, "BTCUSDT");
    assert_eq!(trades[0].2["price"], 100);
    assert_eq!(trades[0].2["aggressor"], "BUY");
    let book: Vec<&Value> = msgs
        .iter()
        .filter(|(t, _, _)| *t == Topic::Book)
        .map(|(_, _, m)| m)
        .collect();
    assert_eq!(book[0]["type"], "SNAPSHOT");
    assert_eq!(book[1]["asks"], json!([[100, 5]]));
    assert_eq!(book[2]["asks"], json!([[100, 2]]));
    // Keys: executions by account, the rest by symbol.
    assert!(msgs
        .iter()
        .filter(|(t, _, _)| *t == Topic::Executions)
        .all(|(_, k, m)| k.parse::<u64>().ok() == m["account"].as_u64()));
    // Seqs are gap-free over the three topics.
    let mut seqs: Vec<u64> = Vec::new();
    for (t, _, m) in &msgs {
        match t {
            Topic::Book if m["type"] == "DEPTH_UPDATE" => {
                seqs.extend(m["first_seq"].as_u64().unwrap()..=m["last_seq"].as_u64().unwrap())
            }
            Topic::Book => {}
            _ => seqs.push(m["seq"].as_u64().unwrap()),
        }
    }
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
}

#[test]
fn test_shard_rejects_malformed_and_goes_on() {
    let mut shard = Shard::new(0);
    let mut out = Outbox::default();
    let inputs: Vec<Vec<u8>> = vec![
        create("ETHUSDT").to_string().into_bytes(),
        b"{not json".to_vec(),
        br#"{"type":"NEW_ORDER","command_id":"x","account":1,"symbol":"ETHUSDT","side":"BUY","order_type":"LIMIT","price":100,"qty":99999999999999999999}"#.to_vec(),
        br#"{"type":"NEW_ORDER","command_id":"y","account":1,"symbol":"NOPE","side":"BUY","order_type":"LIMIT","price":100,"qty":1}"#.to_vec(),
        br#"{"type":"NEW_ORDER","command_id":"z","account":1,"symbol":"ETHUSDT","side":"BUY","order_type":"LIMIT","price":100,"qty":-1}"#.to_vec(),
        br#"{"type":"NEW_ORDER","command_id":"t","account":1,"symbol":"ETHUSDT","side":"BUY","order_type":"LIMIT","price":101,"qty":1}"#.to_vec(),
        br#"{"type":"NEW_ORDER","command_id":"m","account":1,"symbol":"ETHUSDT","side":"BUY"}"#.to_vec(),
        br#"{"type":"NEW_ORDER","command_id":"o","account":9223372036854775808,"symbol":"ETHUSDT","side":"BUY","order_type":"LIMIT","price":9223372036854775805,"qty":2}"#.to_vec(),
        limit("ok", 1, "BUY", 100, 1).to_string().replace("BTCUSDT", "ETHUSDT").into_bytes(),
    ];
    for (i, p) in inputs.iter().enumerate() {
        shard.process(i as i64, 5, p, Some(&mut out), 1000);
    }
    let execs: Vec<Value> = decode(&out)
        .into_iter()
        .filter(|(t, _, _)| *t == Topic::Executions)
        .map(|(_, _, m)| m)
        .collect();
    for m in &execs {
        assert_valid("executions.v1", m);
    }
    let got: Vec<(String, String)> = execs
        .iter()
        .map(|m| {
            (
                m["command_id"].as_str().unwrap_or("-").to_string(),
                m["reason"]
                    .as_str()
                    .unwrap_or(m["exec_type"].as_str().unwrap())
                    .to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("c-ETHUSDT", "SYMBOL_CREATED"),
        ("-", "MALFORMED"),
        ("x", "OVERFLOW"),
        ("y", "UNKNOWN_SYMBOL"),
        ("z", "INVALID_QUANTITY"),
        ("t", "TICK_SIZE"),
        ("m", "MALFORMED"),
        ("o", "OVERFLOW"),
        ("ok", "NEW"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    assert!(execs[1]["detail"]
        .as_str()
        .unwrap()
        .contains("key must be a string"));
}

/// A realistic little stream: many accounts crossing around a mid price.
fn stream(n: usize) -> Vec<Value> {
    let mut v = vec![create("BTCUSDT")];
    let mut x: u64 = 42;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let side = if x % 2 == 0 { "BUY" } else { "SELL" };
        let price = 80 + 5 * ((x >> 8) % 9) as i64;
        let c = if (x >> 20) % 10 == 0 {
            json!({"type": "CANCEL_ALL", "command_id": format!("k{i}"), "account": (x >> 24) % 5,
                   "symbol": "BTCUSDT"})
        } else {
            limit(
                &format!("o{i}"),
                (x >> 24) % 5,
                side,
                price,
                1 + ((x >> 32) % 7) as i64,
            )
        };
        v.push(c);
    }
    v
}

#[test]
fn test_shard_snapshot_restore_and_replay_give_the_same_output() {
    let cmds = stream(3000);
    let mut whole = Shard::new(1);
    let all = run(&mut whole, &cmds);

    let mut first = Shard::new(1);
    let mut out = Outbox::default();
    for (i, c) in cmds[..1200].iter().enumerate() {
        first.process(
            i as i64,
            1_700_000_000_000,
            c.to_string().as_bytes(),
            Some(&mut out),
            1000,
        );
    }
    let bytes = first.to_bytes();
    let mut second = Shard::from_bytes(&bytes).expect("restores");
    assert_eq!(second.next_offset, 1200);
    // Replay without output up to 2000, then live.
    for (i, c) in cmds.iter().enumerate().skip(1200) {
        let live = i >= 2000;
        second.process(
            i as i64,
            1_700_000_000_000,
            c.to_string().as_bytes(),
            if live { Some(&mut out) } else { None },
            1000,
        );
    }
    let whole_prefix_live: Vec<_> = all;
    let mut expected = Outbox::default();
    let mut again = Shard::new(1);
    for (i, c) in cmds.iter().enumerate() {
        let live = !(1200..2000).contains(&i);
        again.process(
            i as i64,
            1_700_000_000_000,
            c.to_string().as_bytes(),
            if live { Some(&mut expected) } else { None },
            1000,
        );
    }
    assert_eq!(decode(&out), decode(&expected));
    assert!(whole_prefix_live.len() > decode(&expected).len());
    assert_eq!(whole.to_bytes(), again.to_bytes());
    assert_eq!(second.to_bytes(), again.to_bytes());
}

#[test]
fn test_shard_snapshot_file_is_atomic_and_checked() {
    let dir = std::env::temp_dir().join(format!("engine-snap-{}", std::process::id()));
    let path = snapshot_path(&dir, "g", "orders.v1", 2);
    assert!(read_snapshot(&path).unwrap().is_none());
    let mut shard = Shard::new(2);
    run(&mut shard, &stream(50));
    write_snapshot(&path, &shard.to_bytes()).unwrap();
    let back = read_snapshot(&path).unwrap().unwrap();
    assert_eq!(back.to_bytes(), shard.to_bytes());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[20] ^= 1;
    assert!(Shard::from_bytes(&bytes).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
