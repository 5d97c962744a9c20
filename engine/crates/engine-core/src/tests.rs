//! Unit tests: one per rule and per order type.

use crate::types::*;
use crate::Engine;

const S: u32 = 1; // strict rules
const P: u32 = 2; // permissive rules

fn rules_strict() -> SymbolRules {
    SymbolRules {
        tick_size: 10,
        lot_size: 5,
        min_qty: 5,
        max_qty: 1_000,
        min_notional: 1_000,
        price_band_bps: 1_000,
    }
}

fn engine() -> Engine {
    let mut e = Engine::new();
    let mut out = Vec::new();
    e.apply(
        &Command::CreateSymbol {
            ts_ns: 0,
            symbol: S,
            rules: rules_strict(),
            reference_price: 1_000,
        },
        &mut out,
    );
    e.apply(
        &Command::CreateSymbol {
            ts_ns: 0,
            symbol: P,
            rules: SymbolRules::default(),
            reference_price: 100,
        },
        &mut out,
    );
    e
}

fn run(e: &mut Engine, cmd: Command) -> Vec<EventKind> {
    let mut out = Vec::new();
    e.apply(&cmd, &mut out);
    out.into_iter().map(|ev| ev.kind).collect()
}

fn lim(id: u64, acct: u64, sym: u32, side: Side, price: i64, qty: i64) -> NewOrder {
    NewOrder::limit(id * 10, acct, id, sym, side, price, qty)
}

fn new(e: &mut Engine, o: NewOrder) -> Vec<EventKind> {
    run(e, Command::New(o))
}

fn rejected(evs: &[EventKind]) -> Option<RejectReason> {
    evs.iter().find_map(|k| match k {
        EventKind::Rejected { reason, .. } => Some(*reason),
        _ => None,
    })
}

fn trades(evs: &[EventKind]) -> Vec<(u64, u64, i64, i64)> {
    evs.iter()
        .filter_map(|k| match *k {
            EventKind::Trade {
                maker_order_id,
                taker_order_id,
                price,
                qty,
                ..
            } => Some((maker_order_id, taker_order_id, price, qty)),
            _ => None,
        })
        .collect()
}

fn expired(evs: &[EventKind]) -> Vec<(u64, i64, CancelReason)> {
    evs.iter()
        .filter_map(|k| match *k {
            EventKind::Expired {
                order_id,
                qty,
                reason,
                ..
            } => Some((order_id, qty, reason)),
            _ => None,
        })
        .collect()
}

#[test]
fn test_rules_reject_each_violation() {
    let mut e = engine();
    let cases: Vec<(NewOrder, RejectReason)> = vec![
        (
            lim(1, 1, 99, Side::Buy, 1_000, 5),
            RejectReason::UnknownSymbol,
        ),
        (
            lim(1, 1, S, Side::Buy, 1_000, 0),
            RejectReason::InvalidQuantity,
        ),
        (lim(1, 1, S, Side::Buy, 0, 5), RejectReason::InvalidPrice),
        (lim(1, 1, S, Side::Buy, 1_005, 5), RejectReason::TickSize),
        (lim(1, 1, S, Side::Buy, 1_000, 7), RejectReason::LotSize),
        (
            NewOrder {
                qty: 5,
                ..lim(1, 1, S, Side::Buy, 100, 5)
            },
            RejectReason::MinNotional,
        ),
        (lim(1, 1, S, Side::Buy, 1_000, 1_005), RejectReason::MaxQty),
        (lim(1, 1, S, Side::Buy, 890, 5), RejectReason::PriceBand),
        (lim(1, 1, S, Side::Buy, 1_110, 5), RejectReason::PriceBand),
        (lim(1, 1, P, Side::Buy, i64::MAX, 2), RejectReason::Overflow),
    ];
    for (o, want) in cases {
        assert_eq!(rejected(&new(&mut e, o)), Some(want), "{o:?}");
    }
    // min qty and min notional on a symbol where they bite first
    let mut out = Vec::new();
    e.apply(
        &Command::CreateSymbol {
            ts_ns: 0,
            symbol: 3,
            rules: SymbolRules {
                min_qty: 10,
                min_notional: 5_000,
                ..SymbolRules::default()
            },
            reference_price: 0,
        },
        &mut out,
    );
    assert_eq!(
        rejected(&new(&mut e, lim(1, 1, 3, Side::Buy, 100, 5))),
        Some(RejectReason::MinQty)
    );
    assert_eq!(
        rejected(&new(&mut e, lim(1, 1, 3, Side::Buy, 100, 10))),
        Some(RejectReason::MinNotional)
    );
    assert_eq!(e.open_orders(), 0);
}

#[test]
fn test_band_follows_last_trade_price() {
    let mut e = engine();
    new(&mut e, lim(1, 1, S, Side::Sell, 1_090, 5));
    new(&mut e, lim(2, 2, S, Side::Buy, 1_090, 5));
    assert_eq!(e.last_price(S), Some(1_090));
    // 1_190 is within 10% of 1_090 but not of 1_000
    assert_eq!(
        rejected(&new(&mut e, lim(3, 1, S, Side::Sell, 1_190, 5))),
        None
    );
}

#[test]
fn test_symbol_admin_rejections() {
    let mut e = engine();
    let evs = run(
        &mut e,
        Command::CreateSymbol {
            ts_ns: 0,
            symbol: S,
            rules: rules_strict(),
            reference_price: 1,
        },
    );
    assert_eq!(rejected(&evs), Some(RejectReason::DuplicateSymbol));
    let evs = run(
        &mut e,
        Command::CreateSymbol {
            ts_ns: 0,
            symbol: 7,
            rules: SymbolRules {
                tick_size: 0,
                ..SymbolRules::default()
            },
            reference_price: 1,
        },
    );
    assert_eq!(rejected(&evs), Some(RejectReason::InvalidRules));
}

#[test]
fn test_duplicate_unknown_and_not_owner() {
    let mut e = engine();
    new(&mut e, lim(1, 1, P, Side::Buy, 100, 5));
    assert_eq!(
        rejected(&new(&mut e, lim(1, 1, P, Side::Buy, 100, 5))),
        Some(RejectReason::DuplicateOrderId)
    );
    let cancel = |acct, id, sym| Command::Cancel {
        ts_ns: 1,
        account: acct,
        order_id: id,
        symbol: sym,
    };
    assert_eq!(
        rejected(&run(&mut e, cancel(1, 9, P))),
        Some(RejectReason::UnknownOrder)
    );
    assert_eq!(
        rejected(&run(&mut e, cancel(2, 1, P))),
        Some(RejectReason::NotOwner)
    );
    assert_eq!(
        rejected(&run(&mut e, cancel(1, 1, S))),
        Some(RejectReason::UnknownOrder)
    );
    let evs = run(&mut e, cancel(1, 1, P));
    assert!(matches!(
        evs[0],
        EventKind::Cancelled {
            order_id: 1,
            qty: 5,
            reason: CancelReason::User,
            ..
        }
    ));
    assert_eq!(
        evs[1],
        EventKind::BookLevel {
            side: Side::Buy,
            price: 100,
            qty: 0
        }
    );
}

#[test]
fn test_book_price_time_priority() {
    let mut e = engine();
    new(&mut e, lim(1, 1, P, Side::Sell, 101, 5));
    new(&mut e, lim(2, 2, P, Side::Sell, 100, 5));
    new(&mut e, lim(3, 3, P, Side::Sell, 100, 5));
    let evs = new(&mut e, lim(4, 4, P, Side::Buy, 101, 12));
    assert_eq!(
        trades(&evs),
        vec![(2, 4, 100, 5), (3, 4, 100, 5), (1, 4, 101, 2)]
    );
    assert_eq!(e.best_ask(P), Some((101, 3)));
    assert_eq!(e.best_bid(P), None);
    // book level events: 100 -> 0, 101 -> 3
    let levels: Vec<_> = evs
        .iter()
        .filter(|k| matches!(k, EventKind::BookLevel { .. }))
        .collect();
    assert_eq!(levels.len(), 2);
}

#[test]
fn test_ioc_remainder_expires_and_fok_all_or_nothing() {
    let mut e = engine();
    new(&mut e, lim(1, 1, P, Side::Sell, 100, 5));
    let evs = new(
        &mut e,
        lim(2, 2, P, Side::Buy, 100, 8).with_tif(TimeInForce::Ioc),
    );
    assert_eq!(trades(&evs), vec![(1, 2, 100, 5)]);
    assert_eq!(expired(&evs), vec![(2, 3, CancelReason::IocRemainder)]);
    assert_eq!(e.best_bid(P), None);

    new(&mut e, lim(3, 1, P, Side::Sell, 100, 5));
    let evs = new(
        &mut e,
        lim(4, 2, P, Side::Buy, 100, 6).with_tif(TimeInForce::Fok),
    );
    assert_eq!(rejected(&evs), Some(RejectReason::FokNotFilled));
    assert_eq!(e.best_ask(P), Some((100, 5)));
    let evs = new(
        &mut e,
        lim(5, 2, P, Side::Buy, 100, 5).with_tif(TimeInForce::Fok),
    );
    assert_eq!(trades(&evs), vec![(3, 5, 100, 5)]);
}

#[test]
fn test_market_by_qty_and_by_quote() {
    let mut e = engine();
    assert_eq!(
        rejected(&new(&mut e, NewOrder::market(0, 1, 1, P, Side::Buy, 5))),
        Some(RejectReason::NoLiquidity)
    );
    new(&mut e, lim(2, 1, P, Side::Sell, 100, 5));
    new(&mut e, lim(3, 1, P, Side::Sell, 110, 5));
    let evs = new(&mut e, NewOrder::market(0, 2, 4, P, Side::Buy, 12));
    assert_eq!(trades(&evs), vec![(2, 4, 100, 5), (3, 4, 110, 5)]);
    assert_eq!(expired(&evs), vec![(4, 2, CancelReason::MarketNoLiquidity)]);

    new(&mut e, lim(5, 1, P, Side::Sell, 100, 5));
    new(&mut e, lim(6, 1, P, Side::Sell, 120, 5));
    // 1_000 quote: 5 @ 100 = 500, then 4 @ 120 = 480, 20 left
    let q = NewOrder {
        qty: 0,
        quote_qty: 1_000,
        ..NewOrder::market(0, 2, 7, P, Side::Buy, 0)
    };
    let evs = new(&mut e, q);
    assert_eq!(trades(&evs), vec![(5, 7, 100, 5), (6, 7, 120, 4)]);
    assert_eq!(expired(&evs), vec![(7, 0, CancelReason::QuoteExhausted)]);
    assert_eq!(e.best_ask(P), Some((120, 1)));
    let bad = NewOrder {
        qty: 0,
        quote_qty: 1_000,
        ..NewOrder::market(0, 2, 8, P, Side::Sell, 0)
    };
    assert_eq!(
        rejected(&new(&mut e, bad)),
        Some(RejectReason::InvalidQuantity)
    );
}

#[test]
fn test_post_only() {
    let mut e = engine();
    new(&mut e, lim(1, 1, P, Side::Sell, 100, 5));
    let pm = |id, price| NewOrder {
        order_type: OrderType::LimitMaker,
        ..lim(id, 2, P, Side::Buy, price, 5)
    };
    assert_eq!(
        rejected(&new(&mut e, pm(2, 100))),
        Some(RejectReason::WouldTakePostOnly)
    );
    assert_eq!(rejected(&new(&mut e, pm(3, 99))), None);
    assert_eq!(e.best_bid(P), Some((99, 5)));
    let ioc = pm(4, 98).with_tif(TimeInForce::Ioc);
    assert_eq!(
        rejected(&new(&mut e, ioc)),
        Some(RejectReason::InvalidTimeInForce)
    );
}

fn stop(
    id: u64,
    acct: u64,
    side: Side,
    t: OrderType,
    stop_price: i64,
    price: i64,
    qty: i64,
) -> NewOrder {
    NewOrder {
        order_type: t,
        stop_price,
        price,
        tif: if t.has_price() {
            TimeInForce::Gtc
        } else {
            TimeInForce::Ioc
        },
        ..lim(id, acct, P, side, price, qty)
    }
}

#[test]
fn test_stop_loss_triggers_on_last_trade() {
    let mut e = engine();
    new(&mut e, lim(1, 1, P, Side::Buy, 100, 5));
    new(&mut e, lim(2, 1, P, Side::Buy, 95, 10));
    // sell stop-loss at 98: triggers when last <= 98
    let evs = new(
        &mut e,
        stop(3, 2, Side::Sell, OrderType::StopLoss, 98, 0, 4),
    );
    assert!(matches!(evs[0], EventKind::Accepted { .. }));
    assert_eq!(e.order(3).map(|o| o.is_stop), Some(true));
    // trade at 100: no trigger
    new(&mut e, NewOrder::market(0, 3, 4, P, Side::Sell, 5));
    assert_eq!(e.order(3).map(|o| o.is_stop), Some(true));
    // trade at 95 triggers; the stop sells 4 at market into the 95 bid
    let evs = new(&mut e, NewOrder::market(0, 3, 5, P, Side::Sell, 1));
    let trig = evs
        .iter()
        .position(|k| matches!(k, EventKind::Triggered { order_id: 3, .. }))
        .expect("triggered");
    assert_eq!(trades(&evs[trig..]), vec![(2, 3, 95, 4)]);
    assert_eq!(e.best_bid(P), Some((95, 5)));
    assert!(e.order(3).is_none());
    // a stop that would trigger at once is rejected
    let evs = new(
        &mut e,
        stop(6, 2, Side::Sell, OrderType::StopLoss, 96, 0, 4),
    );
    assert_eq!(rejected(&evs), Some(RejectReason::WouldTriggerImmediately));
    let evs = new(&mut e, stop(7, 2, Side::Sell, OrderType::StopLoss, 0, 0, 4));
    assert_eq!(rejected(&evs), Some(RejectReason::InvalidStopPrice));
}

#[test]
fn test_stop_limit_and_take_profit() {
    let mut e = engine();
    new(&mut e, lim(1, 1, P, Side::Sell, 100, 5));
    new(&mut e, lim(2, 1, P, Side::Sell, 105, 5));
    new(&mut e, lim(3, 2, P, Side::Buy, 100, 1)); // last = 100
                                                  // buy stop-limit: triggers when last >= 104, then rests as a limit at 104
    new(
        &mut e,
        stop(4, 3, Side::Buy, OrderType::StopLossLimit, 104, 104, 3),
    );
    // sell take-profit-limit: triggers when last >= 105, limit 90
    new(
        &mut e,
        stop(5, 4, Side::Sell, OrderType::TakeProfitLimit, 105, 90, 2),
    );
    let evs = new(&mut e, lim(6, 2, P, Side::Buy, 105, 6)); // takes 4 @100, 2 @105
    let triggered: Vec<u64> = evs
        .iter()
        .filter_map(|k| match k {
            EventKind::Triggered { order_id, .. } => Some(*order_id),
            _ => None,
        })
        .collect();
    assert_eq!(triggered, vec![4, 5]);
    // 4 rests at 104 (asks at 105 are above its limit); 5 sells 2 into the 104 bid
    assert_eq!(e.best_bid(P), Some((104, 1)));
    assert_eq!(trades(&evs).last(), Some(&(4, 5, 104, 2)));
}

#[test]
fn test_iceberg_refills_to_back_of_queue() {
    let mut e = engine();
    let ice = NewOrder {
        iceberg_qty: 2,
        ..lim(1, 1, P, Side::Sell, 100, 5)
    };
    new(&mut e, ice);
    new(&mut e, lim(2, 2, P, Side::Sell, 100, 3));
    assert_eq!(e.best_ask(P), Some((100, 5)));
    assert_eq!(e.level_orders(P, Side::Sell, 100), vec![(1, 2), (2, 3)]);
    let evs = new(&mut e, lim(3, 3, P, Side::Buy, 100, 2));
    assert_eq!(trades(&evs), vec![(1, 3, 100, 2)]);
    assert_eq!(e.level_orders(P, Side::Sell, 100), vec![(2, 3), (1, 2)]);
    // sweep all: 2 then the slice of 1, refilled with its last unit, and so on
    let evs = new(&mut e, lim(4, 3, P, Side::Buy, 100, 6));
    assert_eq!(
        trades(&evs),
        vec![(2, 4, 100, 3), (1, 4, 100, 2), (1, 4, 100, 1)]
    );
    assert_eq!(e.best_ask(P), None);
    let bad = NewOrder {
        iceberg_qty: 5,
        ..lim(5, 1, P, Side::Sell, 100, 5)
    };
    assert_eq!(
        rejected(&new(&mut e, bad)),
        Some(RejectReason::InvalidIceberg)
    );
}

#[test]
fn test_replace_keeps_or_loses_priority() {
    let mut e = engine();
    new(&mut e, lim(1, 1, P, Side::Buy, 100, 10));
    new(&mut e, lim(2, 2, P, Side::Buy, 100, 10));
    let rep = |id, acct, price, qty| Command::Replace {
        ts_ns: 5,
        account: acct,
        order_id: id,
        symbol: P,
        new_price: price,
        new_qty: qty,
    };
    let evs = run(&mut e, rep(1, 1, 100, 4));
    assert!(matches!(
        evs[0],
        EventKind::Replaced {
            kept_priority: true,
            ..
        }
    ));
    assert_eq!(e.level_orders(P, Side::Buy, 100), vec![(1, 4), (2, 10)]);
    run(&mut e, rep(1, 1, 100, 6));
    assert_eq!(e.level_orders(P, Side::Buy, 100), vec![(2, 10), (1, 6)]);
    run(&mut e, rep(2, 2, 99, 10));
    assert_eq!(e.best_bid(P), Some((100, 6)));
    assert_eq!(e.depth(P, Side::Buy, 5), vec![(100, 6), (99, 10)]);
    assert_eq!(
        rejected(&run(&mut e, rep(2, 1, 99, 10))),
        Some(RejectReason::NotOwner)
    );
    assert_eq!(
        rejected(&run(&mut e, rep(2, 2, 99, 0))),
        Some(RejectReason::InvalidQuantity)
    );
    // a replace that crosses trades as a taker
    new(&mut e, lim(3, 3, P, Side::Sell, 101, 4));
    let evs = run(&mut e, rep(3, 3, 100, 4));
    assert_eq!(trades(&evs), vec![(1, 3, 100, 4)]);
    new(
        &mut e,
        stop(4, 1, Side::Sell, OrderType::StopLoss, 50, 0, 4),
    );
    assert_eq!(
        rejected(&run(&mut e, rep(4, 1, 60, 4))),
        Some(RejectReason::NotReplaceable)
    );
}

#[test]
fn test_mass_cancel_one_symbol_and_all() {
    let mut e = engine();
    new(&mut e, lim(1, 1, P, Side::Buy, 100, 5));
    new(&mut e, lim(2, 1, P, Side::Sell, 110, 5));
    new(&mut e, lim(3, 2, P, Side::Buy, 100, 5));
    new(&mut e, lim(4, 1, S, Side::Buy, 1_000, 5));
    new(
        &mut e,
        stop(5, 1, Side::Sell, OrderType::StopLoss, 50, 0, 4),
    );
    let evs = run(
        &mut e,
        Command::MassCancel {
            ts_ns: 1,
            account: 1,
            symbol: Some(P),
        },
    );
    let ids: Vec<u64> = evs
        .iter()
        .filter_map(|k| match k {
            EventKind::Cancelled {
                order_id,
                reason: CancelReason::MassCancel,
                ..
            } => Some(*order_id),
            _ => None,
        })
        .collect();
    assert_eq!(ids, vec![1, 2, 5]);
    assert!(e.order(4).is_some());
    assert!(e.order(3).is_some());
    run(
        &mut e,
        Command::MassCancel {
            ts_ns: 1,
            account: 1,
            symbol: None,
        },
    );
    assert!(e.order(4).is_none());
    assert_eq!(e.open_orders(), 1);
}

#[test]
fn test_stp_modes() {
    let setup = || {
        let mut e = engine();
        new(&mut e, lim(1, 7, P, Side::Sell, 100, 5));
        new(&mut e, lim(2, 8, P, Side::Sell, 100, 5));
        e
    };
    let taker = |stp| lim(3, 7, P, Side::Buy, 100, 8).with_stp(stp);

    let mut e = setup();
    let evs = new(&mut e, taker(StpMode::None));
    assert_eq!(trades(&evs), vec![(1, 3, 100, 5), (2, 3, 100, 3)]);

    let mut e = setup();
    let evs = new(&mut e, taker(StpMode::ExpireTaker));
    assert!(trades(&evs).is_empty());
    assert_eq!(expired(&evs), vec![(3, 8, CancelReason::Stp)]);
    assert_eq!(e.best_ask(P), Some((100, 10)));

    let mut e = setup();
    let evs = new(&mut e, taker(StpMode::ExpireMaker));
    assert_eq!(expired(&evs), vec![(1, 5, CancelReason::Stp)]);
    assert_eq!(trades(&evs), vec![(2, 3, 100, 5)]);
    assert_eq!(e.best_bid(P), Some((100, 3)));

    let mut e = setup();
    let evs = new(&mut e, taker(StpMode::ExpireBoth));
    assert_eq!(
        expired(&evs),
        vec![(1, 5, CancelReason::Stp), (3, 8, CancelReason::Stp)]
    );
    assert_eq!(e.best_ask(P), Some((100, 5)));

    let mut e = setup();
    let evs = new(&mut e, taker(StpMode::Decrement));
    // both reduced by 5: maker 1 gone, taker left with 3 which trades with 2
    assert_eq!(
        expired(&evs),
        vec![(3, 5, CancelReason::Stp), (1, 5, CancelReason::Stp)]
    );
    assert_eq!(trades(&evs), vec![(2, 3, 100, 3)]);
    assert_eq!(e.best_ask(P), Some((100, 2)));
}

#[test]
fn test_sequence_is_gap_free_and_events_carry_symbol() {
    let mut e = engine();
    let mut out = Vec::new();
    let start = e.seq();
    for i in 1..50u64 {
        let side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
        e.apply(
            &Command::New(lim(i, i % 3, P, side, 100 + (i as i64 % 5), 3)),
            &mut out,
        );
    }
    for (k, ev) in out.iter().enumerate() {
        assert_eq!(ev.seq, start + 1 + k as u64);
        assert_eq!(ev.symbol, P);
    }
    assert_eq!(e.seq(), start + out.len() as u64);
}

#[test]
fn test_snapshot_roundtrip_and_corruption() {
    let mut e = engine();
    new(&mut e, lim(1, 1, P, Side::Buy, 100, 5));
    new(
        &mut e,
        NewOrder {
            iceberg_qty: 2,
            ..lim(2, 2, P, Side::Sell, 105, 9)
        },
    );
    new(
        &mut e,
        stop(3, 1, Side::Sell, OrderType::StopLossLimit, 90, 88, 4),
    );
    let snap = e.snapshot();
    let r = Engine::restore(&snap).expect("restores");
    assert_eq!(r.snapshot(), snap);
    assert_eq!(r.order(3), e.order(3));
    assert_eq!(r.best_ask(P), Some((105, 2)));

    let mut bad = snap.clone();
    bad[0] = b'X';
    assert_eq!(
        Engine::restore(&bad).err(),
        Some(crate::SnapshotError::BadMagic)
    );
    let mut bad = snap.clone();
    bad[8] = 9;
    assert!(matches!(
        Engine::restore(&bad),
        Err(crate::SnapshotError::UnsupportedVersion(9))
    ));
    let mut bad = snap.clone();
    let n = bad.len();
    bad[n - 12] ^= 1;
    assert_eq!(
        Engine::restore(&bad).err(),
        Some(crate::SnapshotError::BadChecksum)
    );
    assert_eq!(
        Engine::restore(&snap[..snap.len() - 3]).err(),
        Some(crate::SnapshotError::Truncated)
    );
}

#[test]
fn test_wire_encoding_is_deterministic() {
    let run_once = || {
        let mut e = engine();
        let mut out = Vec::new();
        e.apply(&Command::New(lim(1, 1, P, Side::Sell, 100, 5)), &mut out);
        e.apply(&Command::New(lim(2, 2, P, Side::Buy, 100, 3)), &mut out);
        let mut buf = Vec::new();
        crate::wire::encode_all(&out, &mut buf);
        buf
    };
    let a = run_once();
    assert!(!a.is_empty());
    assert_eq!(a, run_once());
}

#[test]
fn test_large_order_ids_use_the_sparse_index() {
    let mut e = engine();
    let big = (1u64 << 40) + 7;
    new(&mut e, lim(1, 1, P, Side::Buy, 100, 5));
    new(
        &mut e,
        NewOrder {
            order_id: big,
            ..lim(2, 1, P, Side::Buy, 100, 5)
        },
    );
    assert_eq!(
        rejected(&new(
            &mut e,
            NewOrder {
                order_id: big,
                ..lim(3, 1, P, Side::Buy, 100, 5)
            }
        )),
        Some(RejectReason::DuplicateOrderId)
    );
    assert_eq!(e.level_orders(P, Side::Buy, 100), vec![(1, 5), (big, 5)]);
    let snap = e.snapshot();
    let mut r = Engine::restore(&snap).expect("restores");
    let evs = run(
        &mut r,
        Command::Cancel {
            ts_ns: 1,
            account: 1,
            order_id: big,
            symbol: P,
        },
    );
    assert!(matches!(evs[0], EventKind::Cancelled { order_id, .. } if order_id == big));
    assert_eq!(r.open_orders(), 1);
    let evs = new(&mut e, NewOrder::market(0, 2, 4, P, Side::Sell, 10));
    assert_eq!(trades(&evs), vec![(1, 4, 100, 5), (big, 4, 100, 5)]);
    assert_eq!(e.open_orders(), 0);
}

#[test]
fn test_band_check_survives_huge_prices() {
    let mut e = engine();
    run(
        &mut e,
        Command::CreateSymbol {
            ts_ns: 0,
            symbol: 9,
            rules: SymbolRules {
                price_band_bps: 100,
                ..SymbolRules::default()
            },
            reference_price: 1_000_000_000_000_000,
        },
    );
    let far = lim(1, 1, 9, Side::Sell, i64::MAX / 2, 1);
    assert_eq!(rejected(&new(&mut e, far)), Some(RejectReason::PriceBand));
    let near = lim(2, 1, 9, Side::Sell, 1_005_000_000_000_000, 1);
    assert_eq!(rejected(&new(&mut e, near)), None);
}

/// The band bounds prepared when the last price moves give the rule's answer for prices at
/// and around both edges, including products that overflow i64.
#[test]
fn test_band_bounds_match_the_rule() {
    let outside = |bps: i64, reference: i64, price: i64| {
        bps != 0
            && reference > 0
            && (i128::from(price) - i128::from(reference)).abs() * 10_000
                > i128::from(bps) * i128::from(reference)
    };
    for bps in [0, 1, 7, 50, 9_999, 10_000, 25_000, i64::MAX] {
        for reference in [-5, 0, 1, 3, 99, 10_001, 123_457, i64::MAX / 3, i64::MAX] {
            let (lo, hi) = crate::engine::band_bounds(bps, reference);
            let mut probes = vec![1, 2, reference, i64::MAX];
            for edge in [lo, hi] {
                probes.extend((-2..=2).map(|d| edge.saturating_add(d)));
            }
            for price in probes.into_iter().filter(|&p| p > 0) {
                assert_eq!(
                    price < lo || price > hi,
                    outside(bps, reference, price),
                    "bps {bps} reference {reference} price {price}"
                );
            }
        }
    }
}
