//! Property tests on random command streams.

use std::collections::BTreeMap;

use engine_core::naive::{NaiveBook, NaiveOrder, NaiveTrade};
use engine_core::wire;
use engine_core::*;
use proptest::prelude::*;

const SYMS: [u32; 2] = [1, 2];

/// One generated step; order ids are assigned in stream order.
#[derive(Debug, Clone)]
enum Op {
    New {
        sym: usize,
        acct: u64,
        side: Side,
        kind: u8,
        price: i64,
        qty: i64,
        extra: i64,
        tif: u8,
        stp: u8,
    },
    Cancel {
        target: u64,
        acct: u64,
    },
    Replace {
        target: u64,
        acct: u64,
        price: i64,
        qty: i64,
    },
    MassCancel {
        acct: u64,
        all: bool,
    },
}

fn side_strategy() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}

/// `kinds` bounds the order kinds: 0..4 are what the oracle knows.
fn op_strategy(kinds: u8, syms: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..syms, 1..5u64, side_strategy(), 0..kinds, 95..106i64, 1..12i64, 0..12i64, 0..3u8, 0..5u8)
            .prop_map(|(sym, acct, side, kind, price, qty, extra, tif, stp)| Op::New {
                sym, acct, side, kind, price, qty, extra, tif, stp
            }),
        2 => (1..80u64, 1..5u64).prop_map(|(target, acct)| Op::Cancel { target, acct }),
        2 => (1..80u64, 1..5u64, 95..106i64, 1..12i64)
            .prop_map(|(target, acct, price, qty)| Op::Replace { target, acct, price, qty }),
        1 => (1..5u64, any::<bool>()).prop_map(|(acct, all)| Op::MassCancel { acct, all }),
    ]
}

fn stp_of(v: u8) -> StpMode {
    [
        StpMode::None,
        StpMode::ExpireTaker,
        StpMode::ExpireMaker,
        StpMode::ExpireBoth,
        StpMode::Decrement,
    ][v as usize % 5]
}

fn tif_of(v: u8) -> TimeInForce {
    [TimeInForce::Gtc, TimeInForce::Ioc, TimeInForce::Fok][v as usize % 3]
}

/// Turn ops into engine commands (plus the symbol listing).
fn commands(ops: &[Op], nsyms: u64) -> Vec<Command> {
    let mut cmds: Vec<Command> = SYMS
        .iter()
        .map(|&s| Command::CreateSymbol {
            ts_ns: 0,
            symbol: s,
            rules: SymbolRules::default(),
            reference_price: 100,
        })
        .collect();
    for (i, op) in ops.iter().enumerate() {
        let id = i as u64 + 1;
        let ts = id * 1_000;
        let cmd = match *op {
            Op::New {
                sym,
                acct,
                side,
                kind,
                price,
                qty,
                extra,
                tif,
                stp,
            } => {
                let base = NewOrder::limit(ts, acct, id, SYMS[sym], side, price, qty)
                    .with_tif(tif_of(tif))
                    .with_stp(stp_of(stp));
                let o = match kind {
                    0 | 1 => base,
                    2 => NewOrder::market(ts, acct, id, SYMS[sym], side, qty).with_stp(stp_of(stp)),
                    3 => NewOrder {
                        order_type: OrderType::LimitMaker,
                        tif: TimeInForce::Gtc,
                        ..base
                    },
                    4 => NewOrder {
                        iceberg_qty: extra.min(qty - 1).max(0),
                        tif: TimeInForce::Gtc,
                        ..base
                    },
                    5 => NewOrder {
                        qty: 0,
                        quote_qty: extra * 100 + qty,
                        ..NewOrder::market(ts, acct, id, SYMS[sym], Side::Buy, 0)
                    },
                    6 => NewOrder {
                        order_type: [
                            OrderType::StopLoss,
                            OrderType::StopLossLimit,
                            OrderType::TakeProfit,
                            OrderType::TakeProfitLimit,
                        ][(extra % 4) as usize],
                        stop_price: 95 + extra,
                        ..base
                    },
                    _ => base,
                };
                Command::New(o)
            }
            Op::Cancel { target, acct } => Command::Cancel {
                ts_ns: ts,
                account: acct,
                order_id: target,
                symbol: SYMS[(target % nsyms) as usize],
            },
            Op::Replace {
                target,
                acct,
                price,
                qty,
            } => Command::Replace {
                ts_ns: ts,
                account: acct,
                order_id: target,
                symbol: SYMS[(target % nsyms) as usize],
                new_price: price,
                new_qty: qty,
            },
            Op::MassCancel { acct, all } => Command::MassCancel {
                ts_ns: ts,
                account: acct,
                symbol: if all { None } else { Some(SYMS[0]) },
            },
        };
        cmds.push(cmd);
    }
    cmds
}

fn run_all(cmds: &[Command]) -> (Engine, Vec<Event>) {
    let mut e = Engine::new();
    let mut out = Vec::new();
    for c in cmds {
        e.apply(c, &mut out);
    }
    (e, out)
}

fn encode(events: &[Event]) -> Vec<u8> {
    let mut b = Vec::new();
    wire::encode_all(events, &mut b);
    b
}

#[derive(Default, Debug)]
struct Ledger {
    ordered: i64,
    traded: i64,
    removed: i64,
    by_quote: bool,
}

fn check_invariants(cmds: &[Command]) -> Result<(), TestCaseError> {
    let mut e = Engine::new();
    let mut ledgers: BTreeMap<u64, Ledger> = BTreeMap::new();
    let mut l2: BTreeMap<(u32, Side, i64), i64> = BTreeMap::new();
    let mut out = Vec::new();
    let mut next_seq = 1;
    for c in cmds {
        out.clear();
        e.apply(c, &mut out);
        for ev in &out {
            prop_assert_eq!(ev.seq, next_seq, "gap-free sequence");
            next_seq += 1;
            match ev.kind {
                EventKind::Accepted {
                    order_id,
                    qty,
                    quote_qty,
                    ..
                } => {
                    let l = ledgers.entry(order_id).or_default();
                    *l = Ledger {
                        ordered: qty,
                        by_quote: quote_qty != 0,
                        ..Ledger::default()
                    };
                }
                EventKind::Trade {
                    maker_order_id,
                    taker_order_id,
                    qty,
                    ..
                } => {
                    prop_assert!(qty > 0);
                    ledgers.entry(maker_order_id).or_default().traded += qty;
                    ledgers.entry(taker_order_id).or_default().traded += qty;
                }
                EventKind::Cancelled { order_id, qty, .. }
                | EventKind::Expired { order_id, qty, .. } => {
                    ledgers.entry(order_id).or_default().removed += qty;
                }
                EventKind::Replaced {
                    order_id,
                    old_qty,
                    new_qty,
                    ..
                } => {
                    ledgers.entry(order_id).or_default().ordered += new_qty - old_qty;
                }
                EventKind::BookLevel { side, price, qty } => {
                    l2.insert((ev.symbol, side, price), qty);
                }
                _ => {}
            }
        }
        for &s in &SYMS {
            if let (Some((b, _)), Some((a, _))) = (e.best_bid(s), e.best_ask(s)) {
                prop_assert!(b < a, "crossed book on {}: bid {} ask {}", s, b, a);
            }
            for side in [Side::Buy, Side::Sell] {
                let depth = e.depth(s, side, usize::MAX);
                for w in depth.windows(2) {
                    match side {
                        Side::Buy => prop_assert!(w[0].0 > w[1].0),
                        Side::Sell => prop_assert!(w[0].0 < w[1].0),
                    }
                }
                for &(p, q) in &depth {
                    prop_assert!(q > 0);
                    prop_assert_eq!(l2.get(&(s, side, p)).copied(), Some(q), "L2 stream");
                }
                let from_stream = l2
                    .iter()
                    .filter(|(k, q)| k.0 == s && k.1 == side && **q != 0)
                    .count();
                prop_assert_eq!(from_stream, depth.len());
            }
        }
    }
    for (id, l) in &ledgers {
        if l.by_quote {
            continue;
        }
        let open = e.order(*id).map(|o| o.qty + o.hidden).unwrap_or(0);
        prop_assert_eq!(
            l.ordered,
            l.traded + l.removed + open,
            "quantity conservation of order {}: {:?} open {}",
            id,
            l,
            open
        );
    }
    Ok(())
}

fn naive_agrees(cmds: &[Command]) -> Result<(), TestCaseError> {
    let mut e = Engine::new();
    let mut naive = NaiveBook::new();
    let mut out = Vec::new();
    for c in cmds {
        out.clear();
        e.apply(c, &mut out);
        let want: Vec<NaiveTrade> = match *c {
            Command::New(o) => naive.submit(NaiveOrder {
                id: o.order_id,
                account: o.account,
                side: o.side,
                price: (o.order_type != OrderType::Market).then_some(o.price),
                qty: o.qty,
                tif: o.tif,
                post_only: o.order_type == OrderType::LimitMaker,
                stp: o.stp,
            }),
            Command::Cancel {
                order_id, account, ..
            } => {
                naive.cancel(order_id, account);
                Vec::new()
            }
            Command::Replace {
                order_id,
                account,
                new_price,
                new_qty,
                ..
            } => naive.replace(order_id, account, new_price, new_qty),
            Command::MassCancel { account, .. } => {
                for id in 1..=cmds.len() as u64 {
                    naive.cancel(id, account);
                }
                Vec::new()
            }
            Command::CreateSymbol { .. } => Vec::new(),
        };
        let got: Vec<NaiveTrade> = out
            .iter()
            .filter_map(|ev| match ev.kind {
                EventKind::Trade {
                    maker_order_id,
                    taker_order_id,
                    price,
                    qty,
                    ..
                } => Some(NaiveTrade {
                    maker: maker_order_id,
                    taker: taker_order_id,
                    price,
                    qty,
                }),
                _ => None,
            })
            .collect();
        prop_assert_eq!(got, want, "trades after {:?}", c);
        for side in [Side::Buy, Side::Sell] {
            let depth = naive.depth(side);
            prop_assert_eq!(
                e.depth(1, side, usize::MAX),
                depth.clone(),
                "depth after {:?}",
                c
            );
            for (p, _) in depth {
                let ids: Vec<u64> = e.level_orders(1, side, p).iter().map(|x| x.0).collect();
                prop_assert_eq!(ids, naive.queue(side, p), "FIFO at {}", p);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn prop_test_invariants_full_mix(ops in prop::collection::vec(op_strategy(7, 2), 1..200)) {
        check_invariants(&commands(&ops, 2))?;
    }

    #[test]
    fn prop_test_fast_book_agrees_with_naive(ops in prop::collection::vec(op_strategy(4, 1), 1..200)) {
        naive_agrees(&commands(&ops, 1))?;
    }

    #[test]
    fn prop_test_determinism(ops in prop::collection::vec(op_strategy(7, 2), 1..200)) {
        let cmds = commands(&ops, 2);
        let (_, a) = run_all(&cmds);
        let (_, b) = run_all(&cmds);
        prop_assert_eq!(encode(&a), encode(&b));
    }

    #[test]
    fn prop_test_snapshot_restore_replay(
        ops in prop::collection::vec(op_strategy(7, 2), 1..200),
        cut in 0usize..=1000,
    ) {
        let cmds = commands(&ops, 2);
        let k = cmds.len() * cut / 1000;
        let (whole_engine, whole) = run_all(&cmds);
        let (prefix_engine, prefix) = run_all(&cmds[..k]);
        let snap = prefix_engine.snapshot();
        let mut restored = Engine::restore(&snap).expect("restore");
        prop_assert_eq!(restored.snapshot(), snap);
        let mut rest = Vec::new();
        for c in &cmds[k..] {
            restored.apply(c, &mut rest);
        }
        prop_assert_eq!(encode(&whole[prefix.len()..]), encode(&rest));
        prop_assert_eq!(whole_engine.snapshot(), restored.snapshot());
    }
}
