//! Compact, deterministic little-endian binary encoding of events (the wire form).
//!
//! Layout: `tag: u8`, `seq: u64`, `ts_ns: u64`, `symbol: u32`, then the fields of the kind in
//! declaration order (`i64`/`u64` as 8 bytes, enums as one byte, bool as one byte).

use crate::types::{CancelReason, Event, EventKind, OrderType, RejectReason, Side, TimeInForce};

#[inline]
fn side(s: Side) -> u8 {
    match s {
        Side::Buy => 1,
        Side::Sell => 2,
    }
}

#[inline]
fn order_type(t: OrderType) -> u8 {
    match t {
        OrderType::Limit => 1,
        OrderType::Market => 2,
        OrderType::LimitMaker => 3,
        OrderType::StopLoss => 4,
        OrderType::StopLossLimit => 5,
        OrderType::TakeProfit => 6,
        OrderType::TakeProfitLimit => 7,
    }
}

#[inline]
fn tif(t: TimeInForce) -> u8 {
    match t {
        TimeInForce::Gtc => 1,
        TimeInForce::Ioc => 2,
        TimeInForce::Fok => 3,
    }
}

#[inline]
fn reject(r: RejectReason) -> u8 {
    r as u8
}

#[inline]
fn cancel(r: CancelReason) -> u8 {
    r as u8
}

/// Longest encoded event (a trade: 21 + 57 bytes).
pub const MAX_LEN: usize = 78;

/// One event's bytes, built at fixed offsets in an array of its exact length: the compiler
/// turns the writes into plain stores (no zeroing, no length bookkeeping) and the append into
/// one fixed-size copy.
struct Rec<const N: usize> {
    b: [u8; N],
    n: usize,
}

impl<const N: usize> Rec<N> {
    #[inline(always)]
    fn new(tag: u8, ev: &Event) -> Rec<N> {
        let mut r = Rec { b: [0u8; N], n: 0 };
        r.put(tag);
        r.u64(ev.seq);
        r.u64(ev.ts_ns);
        r.put_slice(&ev.symbol.to_le_bytes());
        r
    }

    #[inline(always)]
    fn put(&mut self, v: u8) {
        self.b[self.n] = v;
        self.n += 1;
    }

    #[inline(always)]
    fn put_slice(&mut self, v: &[u8]) {
        self.b[self.n..self.n + v.len()].copy_from_slice(v);
        self.n += v.len();
    }

    #[inline(always)]
    fn u64(&mut self, v: u64) {
        self.put_slice(&v.to_le_bytes());
    }

    #[inline(always)]
    fn i64(&mut self, v: i64) {
        self.put_slice(&v.to_le_bytes());
    }

    #[inline(always)]
    fn append(self, out: &mut Vec<u8>) {
        debug_assert_eq!(self.n, N, "record length");
        out.extend_from_slice(&self.b);
    }
}

/// Append the wire form of `ev` to `out`.
#[inline]
pub fn encode(ev: &Event, out: &mut Vec<u8>) {
    match ev.kind {
        EventKind::SymbolCreated { reference_price } => {
            let mut r = Rec::<29>::new(1, ev);
            r.i64(reference_price);
            r.append(out);
        }
        EventKind::Accepted {
            order_id,
            account,
            side: s,
            order_type: t,
            tif: f,
            price,
            qty,
            quote_qty,
        } => {
            let mut r = Rec::<64>::new(2, ev);
            r.u64(order_id);
            r.u64(account);
            r.put_slice(&[side(s), order_type(t), tif(f)]);
            r.i64(price);
            r.i64(qty);
            r.i64(quote_qty);
            r.append(out);
        }
        EventKind::Rejected {
            order_id,
            account,
            reason,
        } => {
            let mut r = Rec::<38>::new(3, ev);
            r.u64(order_id);
            r.u64(account);
            r.put(reject(reason));
            r.append(out);
        }
        EventKind::Trade {
            trade_id,
            maker_order_id,
            taker_order_id,
            maker_account,
            taker_account,
            price,
            qty,
            aggressor,
        } => {
            let mut r = Rec::<MAX_LEN>::new(4, ev);
            r.u64(trade_id);
            r.u64(maker_order_id);
            r.u64(taker_order_id);
            r.u64(maker_account);
            r.u64(taker_account);
            r.i64(price);
            r.i64(qty);
            r.put(side(aggressor));
            r.append(out);
        }
        EventKind::Cancelled {
            order_id,
            account,
            qty,
            reason,
        } => {
            let mut r = Rec::<46>::new(5, ev);
            r.u64(order_id);
            r.u64(account);
            r.i64(qty);
            r.put(cancel(reason));
            r.append(out);
        }
        EventKind::Expired {
            order_id,
            account,
            qty,
            remaining,
            reason,
        } => {
            let mut r = Rec::<54>::new(6, ev);
            r.u64(order_id);
            r.u64(account);
            r.i64(qty);
            r.i64(remaining);
            r.put(cancel(reason));
            r.append(out);
        }
        EventKind::Replaced {
            order_id,
            account,
            old_price,
            old_qty,
            new_price,
            new_qty,
            kept_priority,
        } => {
            let mut r = Rec::<70>::new(7, ev);
            r.u64(order_id);
            r.u64(account);
            r.i64(old_price);
            r.i64(old_qty);
            r.i64(new_price);
            r.i64(new_qty);
            r.put(u8::from(kept_priority));
            r.append(out);
        }
        EventKind::Triggered {
            order_id,
            account,
            stop_price,
            last_price,
        } => {
            let mut r = Rec::<53>::new(8, ev);
            r.u64(order_id);
            r.u64(account);
            r.i64(stop_price);
            r.i64(last_price);
            r.append(out);
        }
        EventKind::BookLevel {
            side: s,
            price,
            qty,
        } => {
            let mut r = Rec::<38>::new(9, ev);
            r.put(side(s));
            r.i64(price);
            r.i64(qty);
            r.append(out);
        }
    }
}

/// Encode a batch of events.
pub fn encode_all(events: &[Event], buf: &mut Vec<u8>) {
    buf.reserve(events.len() * MAX_LEN);
    for ev in events {
        encode(ev, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventKind) -> Event {
        Event {
            seq: 0x0102_0304_0506_0708,
            ts_ns: 9,
            symbol: 7,
            kind,
        }
    }

    /// Each kind: the header, then its fields in declaration order, nothing after the last.
    #[test]
    fn test_every_kind_has_its_documented_layout() {
        let (id, acct, p, q) = (11u64, 22u64, 33i64, 44i64);
        let cases: [(EventKind, u8, Vec<u8>); 9] = [
            (
                EventKind::SymbolCreated { reference_price: p },
                1,
                p.to_le_bytes().to_vec(),
            ),
            (
                EventKind::Accepted {
                    order_id: id,
                    account: acct,
                    side: Side::Sell,
                    order_type: OrderType::TakeProfitLimit,
                    tif: TimeInForce::Fok,
                    price: p,
                    qty: q,
                    quote_qty: -1,
                },
                2,
                [
                    &id.to_le_bytes()[..],
                    &acct.to_le_bytes(),
                    &[2, 7, 3],
                    &p.to_le_bytes(),
                    &q.to_le_bytes(),
                    &[0xff; 8],
                ]
                .concat(),
            ),
            (
                EventKind::Rejected {
                    order_id: id,
                    account: acct,
                    reason: RejectReason::NotReplaceable,
                },
                3,
                [&id.to_le_bytes()[..], &acct.to_le_bytes(), &[23]].concat(),
            ),
            (
                EventKind::Trade {
                    trade_id: 1,
                    maker_order_id: 2,
                    taker_order_id: 3,
                    maker_account: 4,
                    taker_account: 5,
                    price: p,
                    qty: q,
                    aggressor: Side::Buy,
                },
                4,
                [1u64, 2, 3, 4, 5, p as u64, q as u64]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .chain([1])
                    .collect(),
            ),
            (
                EventKind::Cancelled {
                    order_id: id,
                    account: acct,
                    qty: q,
                    reason: CancelReason::MassCancel,
                },
                5,
                [id, acct, q as u64]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .chain([4])
                    .collect(),
            ),
            (
                EventKind::Expired {
                    order_id: id,
                    account: acct,
                    qty: q,
                    remaining: p,
                    reason: CancelReason::FokNotFilled,
                },
                6,
                [id, acct, q as u64, p as u64]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .chain([7])
                    .collect(),
            ),
            (
                EventKind::Replaced {
                    order_id: id,
                    account: acct,
                    old_price: 1,
                    old_qty: 2,
                    new_price: 3,
                    new_qty: 4,
                    kept_priority: true,
                },
                7,
                [id, acct, 1, 2, 3, 4]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .chain([1])
                    .collect(),
            ),
            (
                EventKind::Triggered {
                    order_id: id,
                    account: acct,
                    stop_price: p,
                    last_price: q,
                },
                8,
                [id, acct, p as u64, q as u64]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            (
                EventKind::BookLevel {
                    side: Side::Sell,
                    price: p,
                    qty: 0,
                },
                9,
                [&[2u8][..], &p.to_le_bytes(), &0i64.to_le_bytes()].concat(),
            ),
        ];
        let mut all = Vec::new();
        for (kind, tag, body) in cases {
            let e = ev(kind);
            let mut b = Vec::new();
            encode(&e, &mut b);
            let mut want = vec![tag];
            want.extend_from_slice(&e.seq.to_le_bytes());
            want.extend_from_slice(&e.ts_ns.to_le_bytes());
            want.extend_from_slice(&e.symbol.to_le_bytes());
            want.extend_from_slice(&body);
            assert_eq!(b, want, "{kind:?}");
            assert!(b.len() <= MAX_LEN);
            all.push(e);
        }
        let mut batch = Vec::new();
        encode_all(&all, &mut batch);
        let mut one_by_one = Vec::new();
        for e in &all {
            encode(e, &mut one_by_one);
        }
        assert_eq!(batch, one_by_one);
    }
}
